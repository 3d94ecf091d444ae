"""Turn n-gram contributions into highlighted words of the original comment.

A linear model's log-odds are a sum over n-grams; a moderator thinks in words. Each n-gram's
contribution is shared among the whitespace-separated words it occurs in, the words are ranked by
their total, and each word's span in the normalised text is mapped back through the normaliser's
offsets, so ``V 0 l l i d i o t`` is highlighted as one word in the original string.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from classifier.features import WORD_PREFIX
from classifier.normalize import Normalized
from classifier.types import Evidence

_CHUNK = re.compile(r"\S+")
_TOKEN = re.compile(r"\w+")
_EDGE_PUNCTUATION = ".,;:!?\"'()[]{}«»„“”‚‘’"


def word_evidence(
    original: str,
    normalized: Normalized,
    feature_names: Sequence[str],
    contributions: np.ndarray,
    *,
    top_features: int = 12,
    max_words: int = 5,
    min_weight: float = 0.05,
    relative_floor: float = 0.25,
) -> tuple[Evidence, ...]:
    """The words that pushed a score up most, as spans of ``original``.

    :param feature_names: the names of the present features, aligned with ``contributions``.
    :param contributions: each present feature's share of the log-odds.
    :return: at most ``max_words`` evidence items, strongest first, each with a weight of at
        least ``min_weight`` and of ``relative_floor`` times the strongest word's.
    """
    if contributions.size == 0:
        return ()
    count = min(top_features, contributions.size)
    strongest = np.argpartition(-contributions, count - 1)[:count]
    chunks = list(_CHUNK.finditer(normalized.text))
    padded = [f" {chunk.group()} " for chunk in chunks]
    tokens = [(token.group(), index) for index, chunk in enumerate(chunks)
              for token in _TOKEN.finditer(chunk.group())]
    totals = np.zeros(len(chunks))
    for position in strongest:
        weight = float(contributions[position])
        if weight <= 0:
            continue
        owners = _owners(feature_names[position], padded, tokens)
        for owner in owners:
            totals[owner] += weight / len(owners)
    evidence = []
    # Words far weaker than the strongest are noise to a moderator ("ein" beside "Idiot").
    floor = max(min_weight, relative_floor * float(totals.max(initial=0.0)))
    for index in np.argsort(-totals)[:max_words]:
        if totals[index] < floor:
            break
        span = _strip_span(chunks[index])
        if span is None:
            continue
        start, end = normalized.span(*span)
        evidence.append(Evidence(original[start:end], start, end, round(float(totals[index]), 4)))
    return tuple(evidence)


def _owners(feature: str, padded: list[str], tokens: list[tuple[str, int]]) -> list[int]:
    """Indices of the words (chunks) a feature occurs in, once per occurrence."""
    if feature.startswith(WORD_PREFIX):
        words = feature[len(WORD_PREFIX) :].split(" ")
        width = len(words)
        owners: list[int] = []
        for i in range(len(tokens) - width + 1):
            if all(tokens[i + k][0] == words[k] for k in range(width)):
                owners.extend({tokens[i + k][1] for k in range(width)})
        return owners
    return [index for index, word in enumerate(padded) if feature in word]


def _strip_span(chunk: re.Match[str]) -> tuple[int, int] | None:
    """The chunk's span without surrounding punctuation (``idiot!`` -> ``idiot``)."""
    text = chunk.group()
    stripped = text.strip(_EDGE_PUNCTUATION)
    if not stripped:
        return None
    start = chunk.start() + text.index(stripped)
    return start, start + len(stripped)
