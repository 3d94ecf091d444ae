"""``python -m docs.examples [--check]``: write the examples into the docs, or check them.

Run from the repository with its virtual environment active; it starts the service on a free
loopback port for about half a minute.
"""

from __future__ import annotations

import argparse
import sys

from docs.examples import REPO, stale_documents, write_documents
from docs.examples.steps import ExampleError


def main() -> int:
    """Write (or with ``--check`` only compare) the examples; 1 if ``--check`` finds a difference,
    2 if the examples cannot run."""
    parser = argparse.ArgumentParser(prog="python -m docs.examples", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is out of date")
    args = parser.parse_args()
    try:
        return _check() if args.check else _write()
    except (ValueError, ExampleError) as error:
        print(f"python -m docs.examples: {error}", file=sys.stderr)
        return 2


def _check() -> int:
    """Print what differs; 1 if anything does."""
    messages = stale_documents()
    print("\n\n".join(messages) or "The docs show what the service answers.")
    return 1 if messages else 0


def _write() -> int:
    """Rewrite the documents' examples and say which files changed."""
    changed = write_documents()
    for path in changed:
        print(f"rewrote the examples in {path.relative_to(REPO)}")
    if not changed:
        print("The docs already show what the service answers.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
