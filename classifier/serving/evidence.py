"""Turn n-gram contributions into highlighted words of the original comment.

A linear model's log-odds are a sum over n-grams; a moderator thinks in words. Every n-gram
occurrence knows the whitespace-separated word it came from (:meth:`NgramAnalyzer.ngrams_by_word`),
so each word's weight is the sum of its n-grams' contributions (a feature occurring twice gives
each occurrence half). The words are ranked and their spans in the normalised text are mapped
back through the normaliser's offsets, so ``V 0 l l i d i o t`` is highlighted as one word of the
original string.
"""

from __future__ import annotations

import re

import numpy as np

from classifier.serving.linear import SparseVector
from classifier.text.normalize import URL_SIGN_TOKENS, URL_TOKEN, Normalized
from classifier.types import Evidence

_CHUNK = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:!?\"'()[]{}«»„“”‚‘’"
_SIGN_TOKENS = frozenset(URL_SIGN_TOKENS.values())


def word_weights(vector: SparseVector, contributions: np.ndarray, n_words: int) -> np.ndarray:
    """Each word's share of the log-odds, from per-feature ``contributions``."""
    if vector.occurrences.size == 0:
        return np.zeros(n_words)
    per_occurrence = (contributions / vector.counts)[vector.occurrences]
    return np.bincount(vector.owners, weights=per_occurrence, minlength=n_words)


def word_evidence(
    original: str,
    normalized: Normalized,
    vector: SparseVector,
    contributions: np.ndarray,
    *,
    max_words: int = 5,
    min_weight: float = 0.05,
    relative_floor: float = 0.25,
) -> tuple[Evidence, ...]:
    """The words that pushed a score up most, as spans of ``original``.

    :param vector: the comment's TF-IDF vector (with its n-gram-to-word map).
    :param contributions: each present feature's share of the log-odds, aligned with
        ``vector.indices``.
    :return: at most ``max_words`` evidence items, strongest first, each with a weight of at
        least ``min_weight`` and of ``relative_floor`` times the strongest word's.
    """
    chunks = list(_CHUNK.finditer(normalized.text))
    totals = word_weights(vector, contributions, len(chunks))
    if not chunks:
        return ()
    _credit_signs_to_their_url(chunks, totals)
    # Words far weaker than the strongest are noise to a moderator ("ein" beside "Idiot").
    floor = max(min_weight, relative_floor * float(totals.max()))
    evidence = []
    for index in np.argsort(-totals, kind="stable")[:max_words]:
        if totals[index] < floor:
            break
        span = _strip_span(chunks[index])
        if span is None:
            continue
        start, end = normalized.span(*span)
        evidence.append(Evidence(original[start:end], start, end, round(float(totals[index]), 4)))
    return tuple(evidence)


def _credit_signs_to_their_url(chunks: list[re.Match[str]], totals: np.ndarray) -> None:
    """A link's sign tokens ("urlshort") stand for the whole link: their weight goes to its
    URL token, whose span is the link (theirs is only its last character)."""
    url = None
    for index, chunk in enumerate(chunks):
        if chunk.group() == URL_TOKEN:
            url = index
        elif url is not None and chunk.group() in _SIGN_TOKENS:
            totals[url] += totals[index]
            totals[index] = 0.0
        else:
            url = None


def _strip_span(chunk: re.Match[str]) -> tuple[int, int] | None:
    """The chunk's span without surrounding punctuation (``idiot!`` -> ``idiot``)."""
    text = chunk.group()
    stripped = text.strip(_EDGE_PUNCTUATION)
    if not stripped:
        return None
    start = chunk.start() + text.index(stripped)
    return start, start + len(stripped)
