"""The request and response examples of the README and docs/, written from a live service.

The examples are declared once, in :mod:`docs.examples.catalogue`. :func:`render_all` starts
``moderation serve`` on a fresh SQLite database with the team-data model, runs every example
against it in order and renders what it answered; ``python -m docs.examples`` writes that into
the Markdown files between their ``<!-- example: NAME -->`` markers, and
``tests/e2e/test_docs_examples.py`` fails when the files show anything else.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from docs.examples.catalogue import BLOCKS
from docs.examples.live import REPO, live_service
from docs.examples.markdown import check_markers, stale, updated


def render_all() -> dict[str, str]:
    """Run every example against a fresh service; the Markdown of each block, by name.

    :raise ValueError: the documents' markers and the declared blocks do not match (checked
        before the service is started).
    :raise docs.examples.steps.ExampleError: the service did not start, or an example failed.
    """
    check_markers(REPO, [block.name for block in BLOCKS])
    with tempfile.TemporaryDirectory(prefix="moderation-examples-") as folder, live_service(Path(folder)) as session:
        return {block.name: block.render(block.run(session), session) for block in BLOCKS}


def stale_documents() -> list[str]:
    """What differs between the documents and what the service answers, one message per file."""
    return stale(REPO, updated(REPO, render_all()))


def write_documents() -> list[Path]:
    """Rewrite the documents' examples; the files that changed."""
    changed = []
    for path, text in updated(REPO, render_all()).items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
