"""The values a comment's way through the service is made of.

The schemas load requests into them, the views hand them to :mod:`service.intake`, storage
writes and reads them. They import nothing of the service, so every layer can use them and
none has to import a layer above it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Submission:
    """A comment as the site's backend sends it, already validated."""

    id: str
    text: str
    article_id: str
    parent_id: str | None = None
    author_id: str | None = None
    lang: str | None = None
    article: Mapping[str, Any] | None = None  # an inline article, stored with the comment


class Outcome(enum.Enum):
    """What storing a submission did."""

    CREATED = "created"
    UNCHANGED = "unchanged"  # same id and text as stored: nothing written
    EDITED = "edited"  # same id, new text: a new revision


class QueuePosition(NamedTuple):
    """Where a page of the queue ends: the sort key of its last comment."""

    urgency: float
    created_at: datetime
    id: str
