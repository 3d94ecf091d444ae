"""The README's and docs/' examples are what a live service answers (see docs/examples/).

The examples run against ``moderation serve`` with the team-data model kept in
docs/examples/model/ (what a fresh ``moderation serve`` trains); about 20 seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sklearn

from classifier.serving.bundle import read_metadata
from docs.examples import stale_documents
from docs.examples.live import MODEL
from docs.examples.markdown import REGENERATE, check_markers, rewrite
from docs.examples.render import MODEL_VERSION, TIME, stable


def test_the_docs_show_what_the_service_answers():
    trained_with = read_metadata(MODEL)["libraries"]["scikit-learn"]
    if trained_with != sklearn.__version__:
        pytest.skip(f"the examples' model was pickled by scikit-learn {trained_with}, "
                    f"{sklearn.__version__} is installed")
    stale = stale_documents()
    if stale:
        pytest.fail("The docs no longer show what the service answers. If the change is intended, run\n"
                    f"    {REGENERATE}\nin the repository and review the diff. Differences:\n\n" + "\n\n".join(stale))


def test_times_versions_and_cursors_become_placeholders_and_what_was_sent_stays():
    answer = {"created_at": "2026-12-04T19:00:38.732365+00:00", "published_at": "2026-11-20T07:00:00+00:00",
              "model_version": "20261204T184239208413Z-596eccbf", "next_cursor": None,
              "reasons": [{"score": 0.981649, "text": "served by 20261204T184239208413Z-596eccbf"}]}

    shown = stable(answer, "20261204T184239208413Z-596eccbf")

    assert shown == {"created_at": TIME, "published_at": "2026-11-20T07:00:00+00:00",
                     "model_version": MODEL_VERSION, "next_cursor": None,
                     "reasons": [{"score": 0.9816, "text": f"served by {MODEL_VERSION}"}]}


def test_a_block_is_replaced_between_its_markers_and_nowhere_else():
    text = "Intro.\n<!-- example: one -->\nold\n<!-- /example -->\nOutro: <!-- example: one --> inline.\n"

    assert rewrite(text, {"one": "new"}) == (
        "Intro.\n<!-- example: one -->\nnew\n<!-- /example -->\nOutro: <!-- example: one --> inline.\n")


def test_markers_and_declared_blocks_must_match(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("<!-- example: shown -->\n<!-- /example -->\n", encoding="utf-8")
    (tmp_path / "docs" / "api.md").write_text("<!-- example: typo -->\n<!-- /example -->\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"markers without a block .*\['typo'\].* no document shows: \['unshown'\]"):
        check_markers(tmp_path, ["shown", "unshown"])
    check_markers(tmp_path, ["shown", "typo"])
