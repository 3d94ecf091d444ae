"""Find texts that occur in both training and test data, after light normalisation.

Training drops every training example whose normalised text occurs in *any* test split of any
corpus, so a score on a test set never rewards memorising a (re)tweet seen in training.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from classifier.data.corpora import LabelledText

# Tweets differ by mentions and t.co links alone when they are retweets or replies to others.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")


def normalised_key(text: str) -> str:
    """Lowercase, drop URLs and @mentions, fold whitespace: the key two copies of a text share."""
    text = _URL.sub(" ", text.lower())
    text = _MENTION.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def find_overlaps(train: Iterable[LabelledText], test: Iterable[LabelledText]) -> set[str]:
    """Normalised keys of texts that occur in both ``train`` and ``test``.

    Texts that normalise to the empty string (only mentions or links) are ignored: they carry
    nothing to memorise and would otherwise all match each other.
    """
    test_keys = {normalised_key(item.text) for item in test}
    test_keys.discard("")
    return {key for key in (normalised_key(item.text) for item in train) if key in test_keys}
