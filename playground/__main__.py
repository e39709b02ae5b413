"""`python -m playground`: the command line (playground/app/cli.py)."""
from playground.app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
