"""The real team data in training_data/: format, labels and coverage.

The folder is written by the team; this checks that it stays complete and well-formed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from classifier.data.teamdata import CATEGORIES, load_team_data

TRAINING_DATA = Path(__file__).resolve().parents[2] / "training_data"


def test_training_data_is_valid_and_complete() -> None:
    data = load_team_data(TRAINING_DATA)  # raises with file:line for every format problem
    langs = Counter(comment.lang for comment in data.comments)
    categories = Counter(comment.category for comment in data.comments)
    assert len(data.articles) >= 12, f"{len(data.articles)} articles"
    assert langs["de"] >= 1500, f"{langs['de']} German comments"
    assert langs["en"] >= 300, f"{langs['en']} English comments"
    missing = sorted(set(CATEGORIES) - set(categories))
    assert not missing, f"categories without any comment: {missing}"
