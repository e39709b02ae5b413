"""One run setting's raw value, parsed: from text (a link, the command line) or a typed value (the UI)
into its field's type, within the value cap; ``ConfigError`` and ``ConfigWarning`` say what was wrong.

``run/config.py`` checks the parsed value against the field's rules and builds the `Config`.

    >>> parse_value("hidden", " 4, 2 ", (4, 2)), parse_value("shuffle", "off", True)
    ((4, 2), False)
    >>> parse_value("lr", "fast", 0.03)
    Traceback (most recent call last):
    ...
    playground.run.config_parse.ConfigError: lr must be a number, got 'fast'
"""
from __future__ import annotations

import math
from typing import Any

from playground.run.pace import pace_text
from playground.run.sizes import CAPS

__all__ = ["ConfigError", "ConfigWarning", "parse_value", "short"]


class ConfigError(ValueError):
    """A config value that is not allowed; the message says which, the value and what is allowed."""


class ConfigWarning(str):
    """One of ``normalize``'s warnings: its text (a ``str``, shown and compared as before),
    ``field``, the setting it refused or repaired (None for an unknown key or a reset), and
    ``problem``, what was wrong without what was used instead (the whole text if nothing was)."""

    field: str | None
    problem: str

    def __new__(cls, problem: str, field: str | None = None, fallback: str = ""):
        w = super().__new__(cls, f"{problem}; {fallback}" if fallback else problem)
        w.field, w.problem = field, problem
        return w


def parse_value(name: str, value: Any, default: Any) -> Any:
    """Convert a raw value to the type of field ``name``, whose default is ``default``; raise
    ConfigError with a readable message."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > CAPS["value_chars"]:
            raise ConfigError(f"{name} is {len(text)} characters long; at most {CAPS['value_chars']} allowed")
    else:
        text = None
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            t = str(value).strip().lower()
            if t in ("1", "true", "yes", "on"):
                return True
            if t in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if isinstance(default, tuple):
            items = [s.strip() for s in text.split(",")] if text is not None else list(value)
            items = [i for i in items if i != ""]
            if name == "hidden":
                if len(items) > CAPS["hidden_layers"]:
                    raise ConfigError(f"hidden allows at most {CAPS['hidden_layers']} layers, got {len(items)}")
                return tuple(int(i) for i in items)
            return tuple(str(i).strip().lower() for i in items)
        if isinstance(default, int):
            if isinstance(value, float) and value != int(value):
                raise ValueError
            n = float(text) if text is not None else value
            if not math.isfinite(n) or n != int(n):
                raise ValueError
            return int(n)
        if isinstance(default, float):
            f = float(text) if text is not None else float(value)
            if not math.isfinite(f):
                raise ConfigError(f"{name} must be a finite number, got {value!r}")
            return f
        if name == "speed":
            return pace_text(text if text is not None else value)
        return (text if text is not None else str(value)).strip().lower() if name != "seed" else (text if text is not None else str(value)).strip()
    except ConfigError:
        raise
    except (ValueError, TypeError, OverflowError):
        kind = {bool: "0 or 1", tuple: "a comma list", int: "a whole number", float: "a number"}
        want = next(v for k, v in kind.items() if isinstance(default, k)) if not isinstance(default, str) else "text"
        raise ConfigError(f"{name} must be {want}, got {short(value)!r}") from None


def short(v: Any) -> str:
    """A value as a message quotes it: at most 40 characters."""
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "…"
