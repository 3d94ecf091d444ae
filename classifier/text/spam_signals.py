"""Surface signals of spam, ads and chatter that a moderator can read at a glance.

They feed the on-topic model as features and are reported as the spam rule's signals ("a
shortened link", "a price"), so a moderator sees *why* without reading model weights. A link as
such is no signal: readers cite sources. Only a link's spam signs are (:mod:`classifier.text.links`).
"""

from __future__ import annotations

import re

from classifier.text.links import LINK_SIGNAL_NAMES, find_links

# Written in lower case and matched against the lower-cased text, which is cheaper than
# re.IGNORECASE (about 30 % of this module's time); "shouting" needs the case and reads the text.
_SIGNALS: dict[str, re.Pattern[str]] = {
    "price": re.compile(r"\d\s?(?:€|euro|eur|\$|dollar)|(?:€|\$)\s?\d|\b\d+\s?%\s?(?:rabatt|off)"),
    "contact": re.compile(r"\b(?:whats ?app|telegram|dm|pn|schreib(?:t)? mir|kontakt|contact me)\b"),
    "link_in_bio": re.compile(r"\b(?:link|infos?) in (?:der |my |meiner )?bio\b"),
    "money_promise": re.compile(
        r"\b(?:verdien|passive[sn]? einkommen|nebenverdienst|krypto|crypto|bitcoin|forex|"
        r"gewinnspiel|gratis|kostenlos|free|earn|giveaway)\w*"),
    "chain_letter": re.compile(r"\b(?:teile|teilt|share|weiterleiten|forward)\b.{0,40}\b(?:\d+|alle|everyone)\b"),
    "first": re.compile(r"^\W*(?:erste[rs]?|first|1\.?)\W*$"),
    "shouting": re.compile(r"\b[A-ZÄÖÜ]{4,}(?:\s+[A-ZÄÖÜ]{4,}){2,}"),
}


_CASED = frozenset({"shouting"})


def spam_signals(text: str) -> dict[str, int]:
    """How often each spam signal occurs in ``text`` (only those that occur)."""
    lowered = text.lower()
    found = _link_signals(text)
    for name, pattern in _SIGNALS.items():
        count = len(pattern.findall(text if name in _CASED else lowered))
        if count:
            found[name] = count
    return found


def _link_signals(text: str) -> dict[str, int]:
    counts = dict.fromkeys(LINK_SIGNAL_NAMES, 0)
    for link in find_links(text):
        for sign in link.spam_signs:
            counts[sign] += 1
    return {name: count for name, count in counts.items() if count}


SIGNAL_NAMES: tuple[str, ...] = (*LINK_SIGNAL_NAMES, *_SIGNALS)
