"""playground.base.text: the one Markdown-escaping path, and short summaries of many names or messages."""
import doctest
import re

import pytest

from playground.base import text
from playground.base.text import MAX_MESSAGES, capped, escape_markdown, summarise

HOSTILE = ["[x](//evil.example/a)", "![i](//evil.example/i.png)", "<img src=//evil.example/i.png>",
           "<a href=//evil.example>x</a>", "**bold**", ":red[x]", "$\\alpha$", "javascript:alert(1)",
           ":material/warning:", "`code`", "# heading", "- item", "~~gone~~", "&lt;", "me@evil.example"]


def test_doctests():
    assert doctest.testmod(text).failed == 0


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_leaves_no_active_character_and_reads_the_same(value):
    escaped = escape_markdown(value)
    # every Markdown-active character carries a backslash (CommonMark: a backslash escapes ASCII punctuation)
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not re.search(r"[\[\]()<>*_`:$~&#!|\\-]", unescaped), escaped
    shown = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped).replace("\u200b", "")
    assert shown == value  # shown exactly as typed


def test_escape_joins_lines_and_breaks_autolinks():
    assert "\n" not in escape_markdown("a\n# b\r\nc")
    for url in ("https://evil.example", "www.evil.example", "me@evil.example"):
        assert "\u200b" in escape_markdown(url)


def test_summarise_and_capped():
    assert summarise([]) == "" and summarise(["a", "b"]) == "a, b"
    assert summarise([str(i) for i in range(12)], 3) == "0, 1, 2, … (and 9 more)"
    assert capped(["a", "b"]) == ["a", "b"]
    many = [f"field{i} is bad" for i in range(40)]
    out = capped(many)
    assert len(out) == MAX_MESSAGES and out[:-1] == many[:MAX_MESSAGES - 1]
    head, *rest = out[-1].split("\n- ")
    assert head == f"{40 - MAX_MESSAGES + 1} more:" and rest == many[MAX_MESSAGES - 1:]  # every message, in one box
