"""Lesson progress as the learner's browser keeps it: which lessons are done, and the current one.

The Lessons page stores it in the browser (localStorage, ``ui.browser_store``), not in the server's memory,
so it survives a reload, a restarted server and a reload that another server worker answers; it stays on the
machine. What the browser hands back is untrusted: ``parse`` keeps only ids of ``lessons.LESSONS`` and reads
at most ``MAX_ITEMS`` entries; anything else counts as no progress.

    >>> p = parse({"v": 1, "done": ["xor-hidden", "no-such", 7], "current": "softmax"})
    >>> sorted(p.done), p.current
    (['xor-hidden'], 'softmax')
    >>> parse(to_json(p)) == p, parse("<junk>") == Progress()
    (True, True)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.teach.lessons import LESSONS

__all__ = ["Progress", "STORE_NAME", "MAX_CHARS", "MAX_ITEMS", "parse", "to_json", "merge"]

#: The localStorage entry (one per site the app is served from).
STORE_NAME = "neural-playground.lessons"
VERSION = 1
#: What the browser stores or reads at most (JSON characters); 12 ids take ~250.
MAX_CHARS = 4096
#: Entries of ``done`` read at most (an id may be listed twice by a tampered value).
MAX_ITEMS = 4 * len(LESSONS)


@dataclass(frozen=True)
class Progress:
    done: frozenset[str] = frozenset()
    current: str | None = None  # the lesson the learner last opened or checked


def _lesson_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value in LESSONS else None


def parse(raw: Any) -> Progress:
    """Progress from what the browser sent (anything); never raises."""
    if not isinstance(raw, dict) or raw.get("v") != VERSION:
        return Progress()
    done = raw.get("done")
    ids = (_lesson_id(d) for d in done[:MAX_ITEMS]) if isinstance(done, list) else ()
    return Progress(frozenset(i for i in ids if i), _lesson_id(raw.get("current")))


def to_json(progress: Progress) -> dict:
    """The value to store: lesson ids in the curriculum's order."""
    return {"v": VERSION, "done": [i for i in LESSONS if i in progress.done], "current": progress.current}


def merge(session: Progress, stored: Progress) -> Progress:
    """This session's progress joined with what the browser had stored: done in either; the session's
    current lesson if it has one."""
    return Progress(session.done | stored.done, session.current or stored.current)
