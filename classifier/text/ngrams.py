"""N-gram features over normalised text, shared by training and the fast scoring path.

One analyzer produces both word n-grams (prefixed ``w:``) and within-word character n-grams (as
scikit-learn's ``char_wb``), so a single ``TfidfVectorizer`` holds one vocabulary and one ``idf_``
that the lean inference path in :mod:`classifier.serving.linear` reuses unchanged: both paths call the
same :meth:`NgramAnalyzer.ngrams`, so they cannot drift apart.
"""

from __future__ import annotations

import re

from classifier.caching import word_cache
from classifier.text.normalize import normalize_text

WORD_PREFIX = "w:"
_WORD = re.compile(r"\w+")


@word_cache(maxsize=200_000)
def _tokens_of(word: str) -> tuple[str, ...]:
    """The word tokens inside one whitespace-separated word (cached: comments reuse words)."""
    return tuple(_WORD.findall(word))


class NgramAnalyzer:
    """Callable analyzer for ``TfidfVectorizer(analyzer=...)``.

    Parameters
    ----------
    word_ngrams : tuple of int, default=(1, 2)
        Smallest and largest word n-gram.
    char_ngrams : tuple of int, default=(2, 5)
        Smallest and largest character n-gram, taken inside space-padded words.
    """

    def __init__(
        self, *, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (2, 5)
    ) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams

    def __call__(self, text: str) -> list[str]:
        """Normalise a raw comment and return its n-grams (the training entry point)."""
        return self.ngrams_by_word(normalize_text(text))[0]

    def ngrams_by_word(self, normalized: str) -> tuple[list[str], list[int]]:
        """The n-grams of normalised text and, for each, the whitespace-separated word it is from.

        A word n-gram spanning two words is counted as the first word's: evidence attributes
        each n-gram's weight to the word it belongs to.
        """
        features: list[str] = []
        owners: list[int] = []
        words = normalized.split()
        for index, word in enumerate(words):
            grams = self.char_ngrams_of(word)
            features.extend(grams)
            owners.extend([index] * len(grams))
        grams, gram_owners = self.word_ngrams_of(words)
        return features + grams, owners + gram_owners

    def char_ngrams_of(self, word: str) -> list[str]:
        """The character n-grams of one whitespace-separated word, padded with spaces."""
        padded = f" {word} "
        length = len(padded)
        low, high = self.char_ngrams
        return [padded[i : i + n] for n in range(low, min(high, length) + 1)
                for i in range(length - n + 1)]

    def word_ngrams_of(self, words: list[str]) -> tuple[list[str], list[int]]:
        """The word n-grams (``w:`` prefixed) of whitespace-separated words, with their owners."""
        tokens: list[str] = []
        token_owners: list[int] = []
        for index, word in enumerate(words):
            found = _tokens_of(word)
            tokens.extend(found)
            token_owners.extend([index] * len(found))
        features: list[str] = []
        owners: list[int] = []
        low, high = self.word_ngrams
        for n in range(low, high + 1):
            count = max(0, len(tokens) - n + 1)
            features.extend(WORD_PREFIX + " ".join(tokens[i : i + n]) for i in range(count))
            owners.extend(token_owners[:count])
        return features, owners

    def __repr__(self) -> str:
        return f"NgramAnalyzer(word_ngrams={self.word_ngrams}, char_ngrams={self.char_ngrams})"
