"""The app's page registry: one table that the entry script, the landing page and the tests read."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PageSpec", "PAGES", "SECTIONS", "available"]


@dataclass(frozen=True)
class PageSpec:
    path: str  # script under pages/
    url: str  # route, always the file's stem (see ui.entry_guard): "play" → /play
    title: str
    icon: str
    section: str
    blurb: str  # one line for the landing page


SECTIONS = ("Start", "Learn", "Data", "Classroom")

PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "home", "Home", ":material/home:", "Start", "What this is and where to go."),
    PageSpec("pages/play.py", "play", "Playground", ":material/hub:", "Start",
             "Pick data and a network, press Play, watch it learn: boundary, loss, every neuron and gradient."),
    PageSpec("pages/perceptron.py", "perceptron", "Perceptron & XOR", ":material/call_split:", "Learn",
             "Logic gates, Rosenblatt's learning rule, and why one neuron can never learn XOR."),
    PageSpec("pages/backprop.py", "backprop", "Backprop step by step", ":material/calculate:", "Learn",
             "Every value of a forward pass, the chain rule multiplied out, numeric vs analytic gradients."),
    PageSpec("pages/activations.py", "activations", "Activation functions", ":material/show_chart:", "Learn",
             "Curves, derivatives, saturation; why stacked linear layers collapse; two ReLUs make a bump."),
    PageSpec("pages/gradients.py", "gradients", "Gradients", ":material/trending_down:", "Learn",
             "Vanishing and exploding gradients, weight and gradient histograms over time, symmetric zero init."),
    PageSpec("pages/losses.py", "losses", "Loss functions", ":material/functions:", "Learn",
             "MSE, MAE, Huber, cross-entropy and softmax, and how outliers pull a fit."),
    PageSpec("pages/generalisation.py", "generalisation", "Generalisation", ":material/balance:", "Learn",
             "Under- and over-fitting, L1 vs L2, dropout, early stopping with the best checkpoint."),
    PageSpec("pages/data.py", "data", "Your data", ":material/table:", "Data",
             "Upload a CSV, pick columns, browse the real datasets, train on them."),
    PageSpec("pages/digits.py", "digits", "Digits", ":material/pin:", "Data",
             "Train a softmax network on 8×8 handwritten digits; see its mistakes and its first-layer weights."),
    PageSpec("pages/lessons.py", "lessons", "Lessons", ":material/school:", "Classroom",
             "Short guided lessons with goals the app checks, each opening the right page and settings."),
    PageSpec("pages/race.py", "race", "Race", ":material/sports_score:", "Classroom",
             "Train 2–4 configurations side by side on the same data and starting weights."),
    PageSpec("pages/room.py", "room", "Room", ":material/groups:", "Classroom",
             "Open a room: every student's run live on one page; push setups, set challenges, project a run."),
)


def available(root) -> tuple[PageSpec, ...]:
    """The pages whose scripts exist under ``root`` (the repository)."""
    from pathlib import Path

    return tuple(p for p in PAGES if (Path(root) / p.path).exists())
