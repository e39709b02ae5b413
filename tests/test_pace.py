"""The pace of Play: epochs per second of wall time, whatever the frame rate (run/pace.py).

Time here is a fake clock that the test moves on by a frame interval per frame; training costs no fake
time, so the pace alone decides what each frame trains (no wall-time assertions).
"""
from __future__ import annotations

import pytest

from playground.run import pace as P
from playground.run.config import Config, from_query
from playground.run.race import Race
from playground.run.race_setup import parse_race
from playground.run.session import PlaygroundSession


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def play_until(session: PlaygroundSession, done, interval: float, limit: float = 120.0) -> float:
    """Fake seconds of Play (a frame every ``interval``) until ``done(trainer)``; ``limit`` if never."""
    clock = Clock()
    session.play()
    while clock.now < limit:
        session.frame(clock=clock)
        if done(session.trainer):
            return clock.now
        clock.now += interval
    return limit


def epochs_after(pace: str, seconds: float, interval: float, when: list | None = None) -> int:
    """Epochs the pacer allows in ``seconds`` of frames every ``interval``, every allowed epoch trained
    (``when`` gets the time of the last frame)."""
    pacer, epoch, now, last = P.Pacer(), 0, 0.0, 0.0
    while now <= seconds + 1e-9:
        epoch += pacer.allow(P.parse_pace(pace), epoch, now)
        now, last = now + interval, now
    if when is not None:
        when.append(last)
    return epoch


def test_the_default_setup_takes_at_least_3_seconds_to_95_percent():
    """TF Playground's default setup (the app's default link) at the default pace: the class sees it learn."""
    cfg = from_query("")[0]
    assert cfg.speed == P.DEFAULT_PACE == "auto"
    for interval in (0.17, 0.05):  # the page's frames, and faster ones: the same pace
        s = PlaygroundSession(cfg)
        seconds = play_until(s, lambda t: t.history.test_metric[-1] >= 0.95, interval)
        assert 3.0 <= seconds <= 6.0, (interval, seconds, s.trainer.epoch)


def test_the_watchable_pace_reaches_the_long_tail_within_a_minute():
    """The spiral's loss flattens after ~2,000 epochs: the pace allows that many well within a minute."""
    assert epochs_after("auto", 15.0, 0.17) >= 5_000
    assert epochs_after("auto", 1.0, 0.17) <= 6  # and starts slowly (TF Playground's ~1 epoch a frame)


@pytest.mark.parametrize("pace", ["auto", "10", "2.5"])
@pytest.mark.parametrize("interval", [0.04, 0.1, 0.17, 0.25])
def test_the_pace_does_not_depend_on_the_frame_rate(pace, interval):
    when = []
    got = epochs_after(pace, 4.0, interval, when)
    exact = P.parse_pace(pace).due(1.0, when[0])  # the pace's own curve (one epoch at once) at the last frame
    assert exact - 1 < got <= exact, (got, exact)  # every frame rate follows it to within an epoch


def test_a_fixed_rate_and_the_frame_speeds():
    assert epochs_after("10", 3.0, 0.1) == 31  # one at once (Play answers at once), then 10 a second
    assert epochs_after("4/frame", 1.0, 0.25) == 4 * 5  # frames at 0, 0.25, …, 1.0
    assert P.Pacer().allow(P.Pace("max"), 0, 0.0) is None


def test_a_stall_is_not_a_debt():
    """A long gap (a slow server, a paused tab) counts MAX_GAP at most; epochs not trained are forgotten."""
    pacer, pace = P.Pacer(), P.parse_pace("100")
    assert pacer.allow(pace, 0, 0.0) == 1  # the first frame after Play trains one epoch at once
    assert pacer.allow(pace, 1, 60.0) == int(100 * P.MAX_GAP)
    assert pacer.allow(pace, 3, 60.1) == 10  # only 3 of 50 were trained: the next frame owes nothing more


@pytest.mark.parametrize("text,canonical", [("auto", "auto"), (" MAX ", "max"), ("As fast as possible", "max"),
                                            ("10 epochs / frame", "10/frame"), ("1 epoch / frame", "1/frame"),
                                            ("30", "30"), ("2.50", "2.5"), ("1e3", "1000")])
def test_speed_values_and_the_old_labels_parse(text, canonical):
    assert P.pace_text(text) == canonical
    assert from_query(f"speed={text}")[0].speed == canonical


@pytest.mark.parametrize("text", ["0", "-3", "1e9", "nan", "inf", "fast", "0/frame", "5000/frame", "x" * 500, ""])
def test_bad_speeds_are_reported_and_replaced(text):
    cfg, warnings = from_query({"speed": text})
    assert cfg.speed == "auto"
    why = "characters long" if len(text) > 200 else "speed must be auto, max"
    assert any(w.field == "speed" and why in w for w in warnings), warnings


def test_the_speed_is_in_the_link_only_when_not_the_default():
    assert "speed" not in Config().to_query()
    s = PlaygroundSession(from_query("dataset=xor&speed=100")[0])
    assert s.speed == "100" and "speed=100" in s.share_query()
    assert s.apply({"speed": "max"})[0] == "live"  # a new pace keeps the run
    assert "speed=max" in s.share_query()


def test_every_speed_choice_has_a_label_and_a_pace():
    for value, label in P.PACES.items():
        assert P.parse_pace(value) is not None and P.pace_label(value) == label
    assert P.pace_label("37") == "37 epochs a second" and P.speed_choices("37")[-1] == "37"
    assert P.speed_choices("auto") == list(P.PACES)


def test_the_race_keeps_its_pace_in_the_link_and_plays_at_it():
    setup = parse_race("dataset=xor&speed=10&race=learning-rates")
    assert setup.base.speed == "10" and "speed=10" in setup.to_query()
    r = Race(setup.configs(), target=setup.target)
    assert r.speed == "10"
    clock = Clock()
    r.play()
    for _ in range(31):  # 3 s of frames every 0.1 s
        r.tick(clock=clock)
        clock.now += 0.1
    assert r.epoch == 31  # one round at once, then 10 a second, every racer in step
    faster = setup.with_speed("As fast as possible")
    assert faster.base.speed == "max" and "speed=max" in faster.to_query() and faster.overrides == setup.overrides
    r.set_speed("max")
    assert r.tick(clock=clock) > 0


def test_the_default_race_is_watchable_too():
    r = Race(parse_race("race=optimizers").configs())
    assert r.speed == "auto"
    clock = Clock()
    r.play()
    while clock.now < 3.0:
        r.tick(clock=clock)
        clock.now += 0.25
    assert 5 <= r.epoch <= 40  # a few seconds show the first tens of epochs, where a race is decided
