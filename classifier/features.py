"""N-gram features over normalised text, shared by training and the fast scoring path.

One analyzer produces both word n-grams (prefixed ``w:``) and within-word character n-grams (as
scikit-learn's ``char_wb``), so a single ``TfidfVectorizer`` holds one vocabulary and one ``idf_``
that the lean inference path in :mod:`classifier.linear` reuses unchanged: both paths call the
same :meth:`NgramAnalyzer.ngrams`, so they cannot drift apart.
"""

from __future__ import annotations

import re

from classifier.normalize import normalize_text

WORD_PREFIX = "w:"
_WORD = re.compile(r"\w+")


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
        char_low, char_high = self.char_ngrams
        tokens: list[str] = []
        token_owners: list[int] = []
        for index, word in enumerate(normalized.split()):
            padded = f" {word} "
            length = len(padded)
            before = len(features)
            for n in range(char_low, min(char_high, length) + 1):
                features.extend(padded[i : i + n] for i in range(length - n + 1))
            owners.extend([index] * (len(features) - before))
            found = _WORD.findall(word)
            tokens.extend(found)
            token_owners.extend([index] * len(found))
        word_low, word_high = self.word_ngrams
        for n in range(word_low, word_high + 1):
            if n == 1:
                features.extend(WORD_PREFIX + token for token in tokens)
            else:
                features.extend(
                    WORD_PREFIX + " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)
                )
            owners.extend(token_owners[: max(0, len(tokens) - n + 1)])
        return features, owners

    def __repr__(self) -> str:
        return f"NgramAnalyzer(word_ngrams={self.word_ngrams}, char_ngrams={self.char_ngrams})"
