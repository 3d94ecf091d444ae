"""Surface signals of spam, ads and chatter that a moderator can read at a glance.

They feed the on-topic model as features and are reported as the spam rule's signals ("2 links",
"a price"), so a moderator sees *why* without reading model weights.
"""

from __future__ import annotations

import re

_SIGNALS: dict[str, re.Pattern[str]] = {
    "link": re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|de|net|org|io|ly|shop|info|at|ch)\b", re.I),
    "price": re.compile(r"\d\s?(?:€|euro|eur|\$|dollar)|(?:€|\$)\s?\d|\b\d+\s?%\s?(?:rabatt|off)", re.I),
    "contact": re.compile(r"\b(?:whats ?app|telegram|dm|pn|schreib(?:t)? mir|kontakt|contact me)\b", re.I),
    "link_in_bio": re.compile(r"\b(?:link|infos?) in (?:der |my |meiner )?bio\b", re.I),
    "money_promise": re.compile(
        r"\b(?:verdien|passive[sn]? einkommen|nebenverdienst|krypto|crypto|bitcoin|forex|"
        r"gewinnspiel|gratis|kostenlos|free|earn|giveaway)\w*", re.I),
    "chain_letter": re.compile(r"\b(?:teile|teilt|share|weiterleiten|forward)\b.{0,40}\b(?:\d+|alle|everyone)\b", re.I),
    "first": re.compile(r"^\W*(?:erste[rs]?|first|1\.?)\W*$", re.I),
    "shouting": re.compile(r"\b[A-ZÄÖÜ]{4,}(?:\s+[A-ZÄÖÜ]{4,}){2,}"),
}


def spam_signals(text: str) -> dict[str, int]:
    """How often each spam signal occurs in ``text`` (only those that occur)."""
    found = {}
    for name, pattern in _SIGNALS.items():
        count = len(pattern.findall(text))
        if count:
            found[name] = count
    return found


SIGNAL_NAMES: tuple[str, ...] = tuple(_SIGNALS)
