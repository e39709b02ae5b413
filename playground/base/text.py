"""Untrusted text shown on a page: the one escaping path, and short lists of many names.

Anything a user supplies (link values and keys, file names, CSV headers and class
names, race specs) reaches Streamlit only through ``escape_markdown``: every
Markdown-active character is backslash-escaped, so it renders literally in
``st.markdown``, alerts, captions, widget labels, options and ``help=``.  Plain
Python, no Streamlit.  (Plotly text, which reads a small HTML subset, has its own
escaping in the figure layer: ``plotly_dicts.safe_text``.)

    >>> escape_markdown("[x](//evil.example/a)")
    '\\\\[x\\\\]\\\\(//evil\\\\.example/a\\\\)'
    >>> summarise(["a", "b", "c", "d", "e"], limit=3)
    'a, b, c, … (and 2 more)'
"""
from __future__ import annotations

import re
from typing import Iterable

__all__ = ["escape_markdown", "summarise", "capped", "MAX_MESSAGES"]

#: Most message boxes a page shows for one cause (a link, a file); the rest share one box.
MAX_MESSAGES = 6

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=\"'&^%@])")
_AUTOLINK = re.compile(r"(\\?:|www|WWW|@)(?=\S)")


def escape_markdown(text: object) -> str:
    """Backslash-escape every Markdown-active character, so untrusted text (file names, column
    names, link values, cell values quoted in errors) renders literally in Markdown.

    Streamlit also reads ``:color[…]``, ``:material/…:`` and ``$…$``, hence ':' and '$';
    ``<`` and ``>`` are escaped too, so no tag or ``<autolink>`` survives.  Newlines become
    spaces (a line break could start a heading or a list).
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")
    # GFM also turns bare URLs into links ("autolink literals"), escaped or not: a zero-width space
    # after the scheme or "www" keeps them plain text.
    return _AUTOLINK.sub("\\1\u200b", escaped)


def summarise(items: Iterable[str], limit: int = 5, sep: str = ", ") -> str:
    """The first ``limit`` items, comma-separated, then how many more: 'a, b, c, … (and 9 more)'."""
    items = list(items)
    shown = sep.join(items[:limit])
    return shown if len(items) <= limit else f"{shown}{sep}… (and {len(items) - limit} more)"


def capped(messages: Iterable[str], limit: int = MAX_MESSAGES) -> list[str]:
    """At most ``limit`` Markdown messages (already escaped): the first ``limit - 1`` as they are,
    the rest in one, as a list, so that a page shows a few boxes however many messages there are.

    >>> capped(["a is bad", "b is bad", "c is bad", "d is bad"], limit=3)[-1]
    '2 more:\\n- c is bad\\n- d is bad'
    """
    messages = list(messages)
    if len(messages) <= limit:
        return messages
    rest = messages[limit - 1:]
    return messages[:limit - 1] + [f"{len(rest)} more:\n" + "\n".join(f"- {m}" for m in rest)]
