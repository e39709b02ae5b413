"""Engines: one registry; both build the same network from the same initial weights.

``numpy`` is ``network.NumpyMLP``; ``torch`` is ``torch_engine.TorchMLP``,
imported only when asked for, so the app runs without torch installed.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np

from playground.core.initializers import init_layer

__all__ = ["EngineSpec", "ENGINE_SPECS", "available_engines", "torch_available", "cuda_available", "initial_params", "make_engine"]


@dataclass(frozen=True)
class EngineSpec:
    name: str
    label: str
    description: str
    requires: str = ""  # a package the engine needs beyond NumPy


ENGINE_SPECS: dict[str, EngineSpec] = {
    "numpy": EngineSpec("numpy", "NumPy", "Explicit forward and backward pass you can read line by line."),
    "torch": EngineSpec("torch", "PyTorch", "The same network with autograd and torch.optim; CPU or CUDA.", "torch"),
}


def available_engines() -> list[str]:
    """The engines whose packages are installed (checked without importing them)."""
    return [n for n, e in ENGINE_SPECS.items() if not e.requires or importlib.util.find_spec(e.requires) is not None]


def torch_available() -> bool:
    """True if torch can be imported (checked without importing it: that takes seconds)."""
    return importlib.util.find_spec("torch") is not None


def cuda_available() -> bool:
    """True when torch is installed and sees a CUDA GPU (imports torch, through the engine module)."""
    if not torch_available():
        return False
    from playground.core.torch_engine import cuda_available as torch_cuda

    return torch_cuda()


def initial_params(init: str, sizes: list[int], rng: np.random.Generator, scale: float = 0.0):
    """``[(W, b), ...]`` in float64, drawn layer by layer (W then b) from ``rng``."""
    return [init_layer(init, rng, fi, fo, scale) for fi, fo in zip(sizes[:-1], sizes[1:])]


def make_engine(engine: str, sizes, activations, loss, params, *, device: str = "cpu", **kw):
    """Build a network; returns ``(net, note)`` where note explains any fallback (else "")."""
    note = ""
    if engine == "torch":
        if torch_available():
            from playground.core.torch_engine import TorchMLP

            if device == "cuda" and not cuda_available():
                note = "CUDA is not available here: the PyTorch engine runs on the CPU."
                device = "cpu"
            return TorchMLP(sizes, activations, loss, params, device=device, **kw), note
        note = "PyTorch is not installed: using the NumPy engine (pip install torch==2.13.0 to enable it)."
    elif engine != "numpy":
        raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINE_SPECS)}")
    from playground.core.network import NumpyMLP

    return NumpyMLP(sizes, activations, loss, params, **kw), note
