"""File digests: model bundles, training sources and the encoder's files are identified by them."""

from __future__ import annotations

import hashlib
from os import PathLike


def sha256_of(path: str | PathLike) -> str:
    """Hex SHA-256 of a file's bytes.

    :raise OSError: the file cannot be read.
    """
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
