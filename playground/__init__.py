"""Neural Playground: a visual neural-network playground with NumPy and PyTorch engines.

The library is layered. A module imports only from its own layer or from layers listed before it
(``tests/test_layers.py`` checks every import, lazy ones inside functions too):

1. ``base``  – what every layer may use: escaping untrusted text (``text``), parsing uploads in a
   sandboxed worker process (``sandbox``), memory and session caps (``memory``, ``capacity``), and
   the app's process-wide settings, applied only on request (``runtime``).
2. ``core``  – the network maths: activation, loss, optimizer, initialiser and input-feature
   registries, the NumPy engine (``network``), the PyTorch engine (``torch_engine``, the one module
   that imports torch, lazily), the engine registry (``engines``) and gradient checking.
3. ``data``  – data sets: the generated 2-D sets and the bundled real tables (``datasets``,
   ``bundled/``), uploaded CSV tables (``tables``) and points drawn on the plane (``drawn``).
4. ``run``   – a training run: the config and its link codec (``config``), the ``trainer``, one
   user's live ``session``, races, replay, the numbers the views show (``views``), model files,
   code export, real-data runs and the benchmark.
5. ``teach`` – the learning material: worked examples, the perceptron, the labs' numbers, lessons,
   classroom links and the activation/loss demos.
6. ``viz``   – every Plotly figure and picture (pure functions: numbers in, figure out).
7. ``app``   – the one Streamlit module (``ui``), the page registry (``pages``) and the command line
   (``cli``; ``python -m playground``).

Pages (``pages/*.py``) sit on top of ``app`` and compose widgets; they do no maths.
Importing any of it changes no process-wide setting.
"""

LAYERS = ("base", "core", "data", "run", "teach", "viz", "app")
