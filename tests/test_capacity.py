"""The training-session registry (playground.base.capacity), with an injected clock."""
import json

from playground.base import capacity
from playground.base.capacity import Registry, full_message, is_teacher_key


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_students_are_refused_past_the_limit_with_the_limit_named():
    reg = Registry(max_training=2, teacher_slots=1, clock=Clock())
    assert reg.admit("a") == "" and reg.admit("b") == ""
    refused = reg.admit("c")
    assert refused == full_message(2)
    assert "class server is full" in refused and "2 students" in refused and "teacher" in refused
    assert "in a minute" in refused
    assert reg.admit("a") == ""  # a slot holder asking again keeps its slot
    s = reg.stats()
    assert s["training"] == 2 and s["sessions"] == 3 and set(s["frames"]) == {"a", "b", "c"}


def test_the_teacher_slot_is_only_for_the_teacher():
    reg = Registry(max_training=1, teacher_slots=1, clock=Clock())
    assert reg.admit("s1") == ""
    assert reg.admit("s2") != ""  # the free teacher slot is not a student's
    assert reg.admit("t", teacher=True) == ""
    assert reg.admit("t2", teacher=True) != ""  # both kinds of slot taken
    assert reg.stats()["training"] == 2
    reg.release("s1")
    assert reg.admit("t2", teacher=True) == ""  # a teacher may also take a free student slot
    assert reg.admit("s2") != ""


def test_teacher_key_needs_the_secret():
    assert is_teacher_key("s3cret", "s3cret")
    assert not is_teacher_key("s3cre", "s3cret") and not is_teacher_key("", "s3cret")
    assert not is_teacher_key("anything", None) and not is_teacher_key("anything", "")  # no key set: no teacher
    assert not is_teacher_key(["s3cret"], "s3cret") and not is_teacher_key("x" * 10_000, "x" * 10_000)


def test_paused_and_idle_sessions_give_their_slot_back_playing_ones_keep_it():
    clock = Clock()
    reg = Registry(max_training=2, teacher_slots=0, clock=clock)
    reg.admit("playing"), reg.admit("paused")
    for _ in range(3):
        clock.now += capacity.RELEASE_AFTER_SECONDS * 0.6
        reg.beat("playing", training=True)
        reg.beat("paused", training=False)  # drawn, not training
        freed = reg.sweep()
    assert freed == [] and reg.holds_slot("playing") and not reg.holds_slot("paused")
    assert reg.admit("newcomer") == ""
    assert reg.stats()["frames"] == {"playing": 3, "paused": 3, "newcomer": 0}
    clock.now += capacity.RELEASE_AFTER_SECONDS + 1  # nobody trained since: every slot is free
    assert reg.sweep() == ["newcomer", "playing"] and reg.stats()["training"] == 0


def test_closed_sessions_are_forgotten():
    reg = Registry(max_training=1, teacher_slots=0, clock=Clock())
    reg.seen("reader")
    reg.admit("trainer")
    reg.beat("trainer", True)
    assert reg.admit("waiting") != ""
    reg.sweep(closed=["trainer"])  # the trainer's tab closed
    s = reg.stats()
    assert s["sessions"] == 2 and s["training"] == 0 and "trainer" not in s["frames"]
    assert reg.admit("waiting") == ""
    reg.close("waiting")
    reg.sweep(closed=["reader"])
    assert reg.stats()["sessions"] == 0 and reg.stats()["training"] == 0


def test_settings_from_the_environment():
    reg = Registry.from_env({capacity.MAX_TRAINING_ENV: "3", capacity.TEACHER_SLOTS_ENV: "2"})
    assert (reg.max_training, reg.teacher_slots) == (3, 2)
    for bad in ("", "-1", "lots", "1e9", "99999999"):  # malformed: the defaults, not a crash
        reg = Registry.from_env({capacity.MAX_TRAINING_ENV: bad})
        assert reg.max_training == capacity.DEFAULT_MAX_TRAINING
    assert Registry.from_env({}).teacher_slots == capacity.DEFAULT_TEACHER_SLOTS


def test_stats_file_is_written_whole(tmp_path):
    reg = Registry(clock=Clock())
    reg.admit("k")
    reg.beat("k", True)
    path = tmp_path / "stats.json"
    capacity.write_stats(path, reg.stats())
    data = json.loads(path.read_text())
    assert set(data) == {"time", "sessions", "training", "frames", "rss_mb"}
    assert data["sessions"] == 1 and data["training"] == 1 and data["frames"] == {"k": 1}
    assert isinstance(data["time"], float) and data["rss_mb"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["stats.json"]  # no temporary file left behind
