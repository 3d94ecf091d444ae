"""Write the OpenAPI document the API serves to ``docs/openapi.json``.

Run ``python -m service.openapi_dump`` after changing a schema or a route. The file is committed
and a test compares it with what the app serves, so that every change of the API's contract shows
in review as a change of this file, and a change nobody meant fails the tests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from service import create_app
from service.docs import openapi_document

#: The committed document, in the repository's ``docs/`` folder.
DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
COMMAND = "python -m service.openapi_dump"


def document_text(document: dict[str, Any]) -> str:
    """The document as the committed file holds it: sorted keys, so that diffs stay small."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    """Write the document to the path given, or to :data:`DOCUMENT`."""
    path = Path(argv[0]) if argv else DOCUMENT
    # No model is needed to describe the API; loading one would only slow the command down.
    app = create_app({"MODEL_PRELOAD": False})
    path.write_text(document_text(openapi_document(app)), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
