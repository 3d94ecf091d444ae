"""The registry of scores: what it declares holds, and the classifier gives exactly its scores."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sklearn.pipeline import Pipeline

from classifier.data.teamdata import TeamComment
from classifier.scores import REASON_CODES, SCORE_NAMES, SCORES
from classifier.scoring_io import scores_to_json
from classifier.types import ArticleText, CommentInput, CommentScores, Score


def test_names_are_distinct_identifiers():
    assert len(set(SCORE_NAMES)) == len(SCORE_NAMES)
    for name in SCORE_NAMES:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name


def test_every_declaration_is_complete():
    team_fields = {f.name: f.type for f in dataclasses.fields(TeamComment)}
    for spec in SCORES:
        assert spec.measures.endswith(".") and spec.measures[0].isupper(), spec.name
        assert spec.languages and set(spec.languages) <= {"de", "en"}, spec.name
        assert set(spec.reason_codes) <= set(REASON_CODES), spec.name
        if spec.team_label is not None:
            assert team_fields[spec.team_label.field] == "bool", spec.name


def test_the_model_gives_every_registered_score_from_the_pipeline_declared(trained_model):
    scores = trained_model.score(CommentInput("Gute Frage.", ArticleText("Neue Grafikkarten")))
    assert tuple(scores.scores) == SCORE_NAMES
    for spec in SCORES:
        assert isinstance(getattr(trained_model, spec.model), Pipeline), spec.name


def test_moderation_score_output_has_a_key_per_score_beside_its_own():
    scores = CommentScores({name: Score(0.5) for name in SCORE_NAMES}, model_version="m")
    output = scores_to_json(scores)
    assert list(output) == ["scores", *SCORE_NAMES, "model_version", "slow_path"]  # no name shadows another


def test_an_unregistered_score_is_refused():
    with pytest.raises(ValueError, match="unknown score 'toxicity'; the registered scores are: respectful"):
        CommentScores({"respectful": Score(0.1), "toxicity": Score(0.2)}, model_version="m")


def test_scores_are_read_by_name():
    scores = CommentScores({"respectful": Score(0.1), "spam": Score(0.3)}, model_version="m")
    assert scores["spam"] == Score(0.3)
    assert scores.as_dict() == {"respectful": 0.1, "spam": 0.3}
