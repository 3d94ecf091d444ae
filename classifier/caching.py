"""Bounded caches: per-article work shared by a server's threads, and per-word work."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from functools import lru_cache, wraps
from typing import Generic, TypeVar

from classifier.types import ArticleText

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Values by key, at most ``size`` of them; the oldest entry goes first when full.

    gunicorn's threads score comments of the same articles at once: reads are lock-free dict
    lookups, inserts and evictions take a lock (an unlocked evict could pick the same oldest key
    in two threads). A value may be computed twice by racing threads; both results are equal.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: dict[Hashable, V] = {}
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The cached value of ``key``, computing and keeping it if there is none."""
        found = self._values.get(key)
        if found is not None:
            return found
        value = compute()
        with self._lock:
            if key not in self._values:
                while len(self._values) >= self.size:
                    del self._values[next(iter(self._values))]
                self._values[key] = value
            return self._values[key]

    def __len__(self) -> int:
        return len(self._values)


#: Longer words are computed each time, never kept: a commenter can send any number of
#: 20,000-character "words", and a cache entry of each would keep its n-grams for good.
MAX_CACHED_WORD_CHARS = 64

T = TypeVar("T")


def word_cache(maxsize: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """``functools.lru_cache`` for a function of one word, skipped for words longer than
    :data:`MAX_CACHED_WORD_CHARS`."""

    def decorate(function: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def lookup(word: str) -> T:
            return cached(word) if len(word) <= MAX_CACHED_WORD_CHARS else function(word)

        return lookup

    return decorate


ARTICLE_CACHE_SIZE = 2048
_ARTICLE_CACHE = "_article_cache"


class PerArticleCache:
    """Mixin for fitted transformers that keep per-article work (lemmas, sentence embeddings).

    One :class:`BoundedCache` per object and process, made on first use and never pickled: many
    comments share an article, and a loaded bundle starts with an empty cache.
    """

    def _for_article(self, article: ArticleText, compute: Callable[[], V]) -> V:
        """The cached value for ``article``, computing and keeping it if there is none."""
        cache = self.__dict__.get(_ARTICLE_CACHE)
        if cache is None:
            cache = self.__dict__.setdefault(_ARTICLE_CACHE, BoundedCache(ARTICLE_CACHE_SIZE))
        return cache.get_or_compute((article.title, article.body), compute)

    def _forget_articles(self) -> None:
        """Drop what was kept (after refitting, the old values are wrong)."""
        self.__dict__.pop(_ARTICLE_CACHE, None)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop(_ARTICLE_CACHE, None)
        return state
