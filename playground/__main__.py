"""`python -m playground`: the command line (playground/cli.py)."""
from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
