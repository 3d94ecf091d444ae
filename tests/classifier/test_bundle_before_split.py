"""A bundle saved before ``classifier/`` was split into sub-packages loads and scores as it did.

``data/bundle-before-split/`` is the team-data model a fresh ``moderation serve`` trained at commit
603dad8, pickled under the old module names (``classifier.topic``, ``classifier.domain``, ...);
``data/bundle-before-split-heldout-scores.json`` holds what that commit's code scored with it on
every held-out comment of ``training_data/``: each score, its evidence spans and its signals.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sklearn

from classifier.data.teamdata import load_team_data
from classifier.serving.bundle import load_model, read_metadata
from classifier.types import ArticleText, CommentInput

DATA = Path(__file__).parent / "data"
BUNDLE = DATA / "bundle-before-split"
EXPECTED = json.loads((DATA / "bundle-before-split-heldout-scores.json").read_text(encoding="utf-8"))
TRAINING_DATA = Path(__file__).resolve().parents[2] / "training_data"


@pytest.fixture(scope="module")
def old_bundle():
    trained_with = read_metadata(BUNDLE)["libraries"]["scikit-learn"]
    if trained_with != sklearn.__version__:
        pytest.skip(f"the bundle was pickled by scikit-learn {trained_with}, {sklearn.__version__} is installed")
    return load_model(BUNDLE)


def test_the_old_bundle_scores_the_heldout_split_as_before(old_bundle):
    team = load_team_data(TRAINING_DATA)
    comments = {c.id: c for c in team.split("heldout")}
    assert EXPECTED["version"] == old_bundle.version
    assert set(EXPECTED["scores"]) <= set(comments)
    for comment_id, expected in EXPECTED["scores"].items():
        comment = comments[comment_id]
        article = team.articles[comment.article_id]
        scores = old_bundle.score(CommentInput(comment.text, ArticleText(article.title, article.body),
                                               team.parent_text(comment)))
        for name, want in expected.items():
            got = scores[name]
            assert got.score == pytest.approx(want["score"], abs=1e-9), (comment_id, name)
            assert [[e.text, e.start, e.end] for e in got.evidence] == [w[:3] for w in want["evidence"]]
            assert [e.weight for e in got.evidence] == pytest.approx([w[3] for w in want["evidence"]], abs=1e-9)
            assert json.loads(json.dumps(got.signals, default=str)) == want["signals"], (comment_id, name)
