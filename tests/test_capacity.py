"""The training-session registry (playground.base.capacity), with an injected clock."""
import json

from playground.base import capacity
from playground.base.capacity import Registry, full_message, is_full_message, is_teacher_key, memory_message

MB = 2**20


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
    for bad in ("", "-1", "lots", "1e9", "99999999", "²", "1" * 5000):  # malformed: the defaults, not a crash
        reg = Registry.from_env({capacity.MAX_TRAINING_ENV: bad, capacity.TRAINING_MEMORY_ENV: bad})
        assert reg.max_training == capacity.DEFAULT_MAX_TRAINING
        assert reg.memory_mb == capacity.DEFAULT_TRAINING_MEMORY_MB
    assert Registry.from_env({}).teacher_slots == capacity.DEFAULT_TEACHER_SLOTS
    assert Registry.from_env({capacity.TRAINING_MEMORY_ENV: "512"}).memory_mb == 512
    assert (capacity.DEFAULT_MAX_TRAINING, capacity.DEFAULT_TRAINING_MEMORY_MB) == (30, 2048)  # a class; ~2 GiB


def test_a_class_of_thirty_default_setups_trains_at_once():
    from playground.base import memory
    from playground.run.config import from_query
    from playground.run.session import PlaygroundSession

    weight = memory.training_bytes(PlaygroundSession(from_query({})[0]))
    assert 0 < weight < MB  # the default setup: tens of KB
    reg = Registry(clock=Clock())
    assert all(reg.admit(f"s{i}", nbytes=weight) == "" for i in range(30))
    assert reg.admit("s30", nbytes=weight) == full_message(30)
    assert reg.stats()["training"] == 30 and reg.stats()["training_mb"] == round(30 * weight / MB, 1)


def test_students_are_refused_when_their_networks_do_not_fit_in_the_training_memory():
    reg = Registry(max_training=30, teacher_slots=1, memory_mb=100, clock=Clock())
    assert reg.admit("a", nbytes=60 * MB) == ""
    refused = reg.admit("b", nbytes=50 * MB)
    assert refused == memory_message(50 * MB, 60 * MB, 100) and is_full_message(refused)
    assert "hold 60 MB of the 100 MB" in refused and "needs 50 MB" in refused and "smaller network" in refused
    assert "in a minute" in refused and not reg.holds_slot("b")
    assert reg.admit("c", nbytes=40 * MB) == ""  # exactly what is left fits
    assert reg.admit("d", nbytes=1) != ""  # nothing is left
    assert reg.admit("t", teacher=True, nbytes=500 * MB) == ""  # the teacher's own slot is held by neither limit
    assert reg.stats()["training_mb"] == 600.0
    reg.release("a")
    assert reg.admit("b", nbytes=50 * MB) == ""  # a's 60 MB came free
    assert "under 0.1 MB" in memory_message(100, 0, 1) and not is_full_message("Paused: the tab is hidden")
    assert "hold 2.9 MB of the 3 MB" in memory_message(MB // 2, 3 * MB - MB // 10, 3) and "needs 0.5 MB" in \
        memory_message(MB // 2, 3 * MB - MB // 10, 3)


def test_a_session_alone_always_trains_and_one_that_grows_keeps_its_slot_only_if_it_fits():
    reg = Registry(max_training=30, teacher_slots=0, memory_mb=100, clock=Clock())
    assert reg.admit("heavy", nbytes=700 * MB) == ""  # alone: the server is never unusable
    assert reg.admit("small", nbytes=1 * MB) != ""  # but nobody fits beside it
    reg.release("heavy")
    assert reg.admit("small", nbytes=10 * MB) == "" and reg.admit("other", nbytes=10 * MB) == ""
    assert reg.admit("small", nbytes=80 * MB) == ""  # grew, and fits beside other's 10 MB
    grown = reg.admit("small", nbytes=95 * MB)  # grew past what fits: loses its slot, told why
    assert grown == memory_message(95 * MB, 10 * MB, 100) and not reg.holds_slot("small")
    assert reg.stats()["training_mb"] == 10.0
    assert reg.admit("small", nbytes=20 * MB) == ""  # a smaller setup gets a slot again
    assert reg.admit("other", nbytes=5 * MB) == "" and reg.stats()["training_mb"] == 25.0  # shrinking always fits


def test_stats_file_is_written_whole(tmp_path):
    reg = Registry(clock=Clock())
    reg.admit("k")
    reg.beat("k", True)
    path = tmp_path / "stats.json"
    capacity.write_stats(path, reg.stats())
    data = json.loads(path.read_text())
    assert set(data) == {"time", "sessions", "training", "training_mb", "frames", "rss_mb"}
    assert data["sessions"] == 1 and data["training"] == 1 and data["frames"] == {"k": 1} and data["training_mb"] == 0
    assert isinstance(data["time"], float) and data["rss_mb"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["stats.json"]  # no temporary file left behind
