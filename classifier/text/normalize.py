"""Text normalisation that undoes the usual obfuscations and remembers where each character came from.

Commenters dodge word filters with ``V0llid1ot``, ``I d i o t``, ``I-d-i-o-t``, ``P.e.n.n.e.r``,
emoji between letters, ``Idiooooot`` and ``ae``/``oe``/``ue`` for umlauts. The classifier sees the
normalised text; the moderator must see the *original* words highlighted. So :func:`normalize`
returns, next to the normalised string, for every normalised character the index of the original
character it came from, and :meth:`Normalized.span` maps a normalised span back.

Folding runs first, so the repairs below can use ASCII character classes (much faster in ``re``
than Unicode ones); each repair rewrites the text only when its pattern is present.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from classifier.text.links import LINK, LINK_SIGNAL_NAMES, read_link

URL_TOKEN = "urltoken"
USER_TOKEN = "usertoken"
# One per spam sign of a link, after its URL_TOKEN: "urlshort", "urlshop", "urlaffiliate".
URL_SIGN_TOKENS = {sign: f"url{sign.split('_')[0]}" for sign in LINK_SIGNAL_NAMES}

# Umlauts are folded to their two-letter spelling (not the other way round): "ae" cannot be told
# apart from a real "ae" (Israel, Michael), so the one spelling both forms share is "ae".
_FOLD = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"}
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s"})

_MENTION = re.compile(r"@\w+")
# A word with leetspeak digits (one kind per run) between letters: "v0llid1ot", "schei55e";
# not "iphone17s" or "h5n1" (digit runs, other digits).
_LEET_WORD = re.compile(r"(?<![\w$])[a-z]+(?:(?:0+|1+|3+|4+|5+|7+|\$+)[a-z]+)+(?![\w$])")
# ... except the plural of a short model name: "mp3s", "ps4s" (but "sh1t", "d3pp", "a5s" are read).
_MODEL_PLURAL = re.compile(r"[a-z]{2,3}[0-9]+s")
# Three or more single letters joined by filler: "i d i o t", "i-d-i-o-t", "p.e.n.n.e.r",
# "i 💩 d 💩 i 💩 o 💩 t". Each letter must stand alone (no letter on either side).
# Digits count as letters here so that "V 0 l l i d i o t" is joined before leetspeak is read.
_SPACED = re.compile(r"\b[a-z0-9](?:\W{1,5}[a-z0-9]\b){2,}")
_SPACED_LETTER = re.compile(r"[a-z0-9]")
# A symbol or emoji inside a word: "id🤬iot", "arsch*loch".
_INNER_SYMBOL = re.compile(r"(?<=[a-z])[^\w\s.,;:!?'\"()\[\]$-]{1,3}(?=[a-z])")
_REPEAT = re.compile(r"([a-z])\1\1+")
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text and, per character, the index of its source character in the original."""

    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised span ``[start, end)`` to the original text's ``[start, end)``."""
        return self.offsets[start], self.offsets[end - 1] + 1


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """NFKC, lower case and umlaut folding of one character (cached: texts reuse few characters)."""
    folded = unicodedata.normalize("NFKC", char).lower()
    if folded in _FOLD:
        return _FOLD[folded]
    # Keep umlauts composed but strip other combining accents (é -> e) so spellings meet.
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFD", folded)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        folded = "".join(_FOLD.get(c, c) for c in stripped) or folded
    return folded


Rewrite = Callable[[re.Match[str]], tuple[str, list[int]]]


def _rewrite(
    text: str, offsets: list[int], pattern: re.Pattern[str], rewrite: Rewrite
) -> tuple[str, list[int]]:
    """Replace each match of ``pattern``; ``rewrite`` gives the new characters and, for each, the
    position (relative to the match start) of the character it stands for."""
    pieces: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        pieces.append(text[last:start])
        new_offsets.extend(offsets[last:start])
        replacement, sources = rewrite(match)
        pieces.append(replacement)
        new_offsets.extend(offsets[start + s] for s in sources)
        last = end
    if last == 0:
        return text, offsets
    pieces.append(text[last:])
    new_offsets.extend(offsets[last:])
    return "".join(pieces), new_offsets


def _token(name: str) -> Rewrite:
    return lambda match: _spread((name,), match)


def _spread(names: tuple[str, ...], match: re.Match[str]) -> tuple[str, list[int]]:
    """``names`` as space-separated tokens: the first one's characters spread over the match, so
    that its span is the whole URL or mention; the others stand for its last character (offsets
    never go backwards)."""
    last = match.end() - match.start() - 1
    first, *signs = names
    text = f" {first}"
    offsets = [0, *(round(i * last / (len(first) - 1)) for i in range(len(first)))]
    for sign in signs:
        text += f" {sign}"
        offsets += [last] * (len(sign) + 1)
    return text + " ", [*offsets, last]


def _url(match: re.Match[str]) -> tuple[str, list[int]]:
    """A URL as its token, followed by a token per spam sign it shows (``urlshort``, ...): the
    models read a link to a source apart from a shortener, a shop or an affiliate link."""
    signs = (URL_SIGN_TOKENS[sign] for sign in read_link(match).spam_signs)
    return _spread((URL_TOKEN, *signs), match)


def _deleet(match: re.Match[str]) -> tuple[str, list[int]]:
    word = match.group()
    readable = word if _MODEL_PLURAL.fullmatch(word) else word.translate(_LEET)
    return readable, list(range(len(word)))


def _join_letters(match: re.Match[str]) -> tuple[str, list[int]]:
    letters = list(_SPACED_LETTER.finditer(match.group()))
    return "".join(m.group() for m in letters), [m.start() for m in letters]


def _drop_symbols(match: re.Match[str]) -> tuple[str, list[int]]:
    return "", []


def _squash(match: re.Match[str]) -> tuple[str, list[int]]:
    letter = match.group(1)
    keep = 1 if letter in _VOWELS else 2
    return letter * keep, list(range(keep))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-case and fold ``text``; one offset per output character.

    Only non-ASCII characters need the slow per-character table, and they are rare, so the loop
    runs over them alone and copies the ASCII stretches in between.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer, e.g. "İ": keep it
        lowered = "".join(c if len(c.lower()) > 1 else c.lower() for c in text)
    if lowered.isascii():
        return lowered, list(range(len(text)))
    pieces: list[str] = []
    offsets: list[int] = []
    last = 0
    for match in _NON_ASCII.finditer(lowered):
        index = match.start()
        char = text[index]
        if unicodedata.combining(char) and index > 0:
            # A decomposed accent ("o" + U+0308, as macOS types it): fold it with its base.
            base = index - 1
            if index == last and pieces:  # the base was folded on its own just before: redo it
                removed = pieces.pop()
                if removed:
                    del offsets[-len(removed):]
            else:
                pieces.append(lowered[last:base])
                offsets.extend(range(last, base))
            folded = _fold_char(unicodedata.normalize("NFC", text[base] + char))
            pieces.append(folded)
            offsets.extend([base] * len(folded))
            last = index + 1
            continue
        pieces.append(lowered[last:index])
        offsets.extend(range(last, index))
        folded = _fold_char(char)
        pieces.append(folded)
        offsets.extend([index] * len(folded))
        last = index + 1
    pieces.append(lowered[last:])
    offsets.extend(range(last, len(text)))
    return "".join(pieces), offsets


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for the classifier and keep the offset map back to ``text``.

    Steps: URLs and @mentions become the tokens ``urltoken``/``usertoken`` (a URL also a token
    per spam sign: ``urlshort``, ``urlshop``, ``urlaffiliate``); Unicode NFKC, lower
    case, umlauts folded to ``ae/oe/ue/ss``, other accents stripped; leetspeak digits inside words
    read as letters; letters spaced out with blanks, hyphens, dots or emoji joined; symbols inside
    a word dropped; three or more repeated letters squashed (vowels to one, consonants to two).
    """
    normalized, offsets = _fold(text)
    if "/" in normalized or "www" in normalized:
        normalized, offsets = _rewrite(normalized, offsets, LINK, _url)
    if "@" in normalized:
        normalized, offsets = _rewrite(normalized, offsets, _MENTION, _token(USER_TOKEN))
    for pattern, rewrite in _REPAIRS:
        if pattern.search(normalized):
            normalized, offsets = _rewrite(normalized, offsets, pattern, rewrite)
    return Normalized(normalized, tuple(offsets))


_REPAIRS: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (_SPACED, _join_letters),
    (_INNER_SYMBOL, _drop_symbols),
    (_LEET_WORD, _deleet),
    (_REPEAT, _squash),
)


def normalize_text(text: str) -> str:
    """The normalised text alone (for training, where no offsets are needed)."""
    return normalize(text).text
