"""Bounded caches: thread-safe per-article caches, and per-word caches that skip huge words."""

from __future__ import annotations

import sys
import threading

import pytest

from classifier.caching import MAX_CACHED_WORD_CHARS, BoundedCache, word_cache


def test_the_oldest_entry_goes_first_and_a_known_key_is_not_computed_again() -> None:
    cache: BoundedCache[str] = BoundedCache(2)
    computed: list[str] = []

    def compute(key: str):
        return lambda: computed.append(key) or key.upper()

    assert cache.get_or_compute("a", compute("a")) == "A"
    assert cache.get_or_compute("b", compute("b")) == "B"
    assert cache.get_or_compute("a", compute("a")) == "A"
    assert cache.get_or_compute("c", compute("c")) == "C"  # evicts "a", the oldest
    assert len(cache) == 2
    cache.get_or_compute("a", compute("a"))
    assert computed == ["a", "b", "c", "a"]


@pytest.fixture
def fast_switching():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # make threads interleave as often as possible
    yield
    sys.setswitchinterval(interval)


def test_threads_filling_a_full_cache_at_once_do_not_fail(fast_switching) -> None:
    cache: BoundedCache[int] = BoundedCache(4)
    failures: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for number in range(2000):
                key = (number * 7 + offset) % 50
                assert cache.get_or_compute(key, lambda key=key: key * 2) == key * 2
        except BaseException as error:  # any failure in a thread must show here
            failures.append(error)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(cache) <= 4


def test_word_cache_keeps_short_words_and_recomputes_huge_ones() -> None:
    calls: list[str] = []

    @word_cache(maxsize=100)
    def length(word: str) -> int:
        calls.append(word)
        return len(word)

    short, huge = "kurz", "x" * (MAX_CACHED_WORD_CHARS + 1)
    assert [length(short), length(short), length(huge), length(huge)] == [4, 4, len(huge), len(huge)]
    assert calls == [short, huge, huge]
