"""A bundle of an earlier release is refused with a message that says what to do.

``data/bundle-before-split/`` is the team-data model a fresh ``moderation serve`` trained at commit
603dad8, pickled under the old module names (``classifier.topic``, ``classifier.domain``, ...).
It unpickles (the old module names still resolve), but its on-topic model was fitted on fewer
feature columns than this release computes, and its text on other normalised input: scoring it
would be wrong, so loading it must fail and say why, not score or crash mid-request.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sklearn

from classifier.serving.bundle import ModelLoadError, load_model, read_metadata

BUNDLE = Path(__file__).parent / "data" / "bundle-before-split"


def test_a_bundle_with_an_earlier_feature_set_is_refused_with_what_to_do() -> None:
    trained_with = read_metadata(BUNDLE)["libraries"]["scikit-learn"]
    if trained_with != sklearn.__version__:
        pytest.skip(f"the bundle was pickled by scikit-learn {trained_with}, {sklearn.__version__} is installed")
    with pytest.raises(ModelLoadError) as refused:
        load_model(BUNDLE)
    message = str(refused.value)
    assert "another release (version 1, 21 on-topic columns" in message
    assert "moderation train" in message and "moderation retrain" in message
