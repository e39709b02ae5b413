"""Where the Playground's data comes from: a built-in dataset, the uploaded table, or points drawn by hand.

All three are choices of the one Dataset selector, so the sidebar always names the data in use
("Uploaded: flowers", "Drawn: 120 points"), shows only the controls that mean something for it, and the
share link says what it carries: drawn points travel in it (up to ``drawn.MAX_LINK_POINTS``), an uploaded
table never does.

    >>> choices(has_upload=True)[-2:]
    ['@uploaded', '@drawn']
    >>> label(UPLOADED, "flowers", None), label(DRAWN, "", 120), label(DRAWN, "", None)
    ('Uploaded: flowers', 'Drawn: 120 points', 'Draw your own points')
    >>> applies("noise", "circle"), applies("noise", UPLOADED), applies("noise", "iris")
    (True, False, False)
"""
from __future__ import annotations

from playground.data import drawn
from playground.data.datasets import DATASETS

__all__ = ["UPLOADED", "DRAWN", "choices", "selected", "label", "applies", "link_note"]

#: The selector's values for user data; a "@" never starts a dataset name.
UPLOADED, DRAWN = "@uploaded", "@drawn"
_NAME_CHARS = 60  # of an uploaded file's name in the selector
_CONTROLS = ("noise", "new_data")


def choices(has_upload: bool) -> list[str]:
    """The selector's options: the built-in datasets, the uploaded table (if there is one), drawing."""
    return [*DATASETS, *([UPLOADED] if has_upload else []), DRAWN]


def selected(drawing: bool, uploaded: bool, dataset: str) -> str:
    """The choice the data in use belongs to (drawing on uploaded data is drawing)."""
    return DRAWN if drawing else UPLOADED if uploaded else dataset


def label(choice: str, upload_name: str, n_drawn: int | None) -> str:
    """What the selector shows (plain text: a selector does not render Markdown). ``n_drawn``: the points
    on the canvas, None when nobody draws."""
    if choice == UPLOADED:
        name = str(upload_name or "table")
        return "Uploaded: " + (name if len(name) <= _NAME_CHARS else name[:_NAME_CHARS - 1] + "…")
    if choice == DRAWN:
        if n_drawn is None:
            return "Draw your own points"
        return f"Drawn: {n_drawn:,} point{'' if n_drawn == 1 else 's'}"
    return choice  # the description is shown whole beside the selector


def applies(control: str, choice: str) -> bool:
    """Whether a data control means anything for ``choice``: ``noise`` only for generated (synthetic)
    datasets; ``new_data`` (a new seed, hence new points) only for built-in datasets. Other controls
    (training share, batch, seed, features) apply to every choice."""
    if control not in _CONTROLS:
        raise ValueError(f"unknown data control {control!r}; known: {', '.join(_CONTROLS)}")
    if choice not in DATASETS:
        return False
    return control == "new_data" or DATASETS[choice].kind == "synthetic"


def link_note(choice: str, n_points: int, upload_name: str, stand_in: str) -> str:
    """What the share link carries of the data, said above the link.

    ``n_points``: the drawn points in use; ``stand_in``: the built-in dataset the link names instead of an
    uploaded table or of too many drawn points (same task), which is what whoever opens the link gets.
    """
    same = "The address bar always holds the same link."
    if choice == UPLOADED:
        return (f"A link cannot carry your uploaded table “{upload_name or 'table'}”: this one opens the same "
                f"network and settings on the built-in “{stand_in}” data. To share the table, send its CSV file "
                f"(download it on the Your data page). {same}")
    if choice == DRAWN and n_points > drawn.MAX_LINK_POINTS:
        return (f"Your {n_points:,} drawn points are too many for a link (at most {drawn.MAX_LINK_POINTS}): it "
                f"opens the same network and settings on the built-in “{stand_in}” data. Download the points "
                f"(CSV) to share them. {same}")
    if choice == DRAWN:
        return (f"This link carries your {n_points:,} drawn points: anyone opening it gets the same points, "
                f"network and starting weights. {same}")
    return f"Anyone opening this link gets the same data, network and starting weights. {same}"
