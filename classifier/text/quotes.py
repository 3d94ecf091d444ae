"""Which parts of a comment are in quotation marks: words that may be *mentioned*, not used.

"Wer Geflüchtete als „Schmarotzer“ bezeichnet, ..." quotes an insult in order to criticise it;
the words score like an insult all the same. The classifier cannot tell use from mention, but
it can say that the words driving a score stand in quotation marks, and the policy can leave
such a comment to a person instead of rejecting it automatically.
"""

from __future__ import annotations

import re

from classifier.types import Evidence

# Opening and closing marks as German and English texts use them; a straight single quote only
# after a space or at the start, so that apostrophes (don't, geht's) do not open a quote.
_QUOTED = re.compile(
    r'"[^"\n]{1,200}"'
    r"|„[^“”\"\n]{1,200}[“”\"]"
    r"|“[^”\n]{1,200}”"
    r"|«[^»\n]{1,200}»"
    r"|»[^«\n]{1,200}«"
    r"|‚[^‘’\n]{1,200}[‘’]"
    r"|(?:(?<=\s)|^)'[^'\n]{1,200}'(?=[\s.,;:!?)]|$)"
)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) character spans of ``text`` inside quotation marks, marks included."""
    return [match.span() for match in _QUOTED.finditer(text)]


def strongest_evidence_quoted(text: str, evidence: tuple[Evidence, ...]) -> bool:
    """Whether the evidence with the largest weight stands inside quotation marks in ``text``."""
    if not evidence:
        return False
    strongest = max(evidence, key=lambda item: item.weight)
    return any(start <= strongest.start and strongest.end <= end for start, end in quoted_spans(text))
