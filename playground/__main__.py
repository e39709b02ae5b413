"""``python -m playground``: see ``playground/cli.py``."""
from .cli import main

raise SystemExit(main())
