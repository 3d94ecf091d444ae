"""Links in a comment, read as content: their host and path words, and what makes one spam.

A reader who cites the regulator's page, a ministry's report or a paper writes the best comment
of a thread; a spammer links a shortener, a shop or an affiliate offer. So a link's words
("bundesnetzagentur", "versorgungsauflagen") count as what the comment is about, and only the
signs of a spam link (:data:`LINK_SIGNAL_NAMES`) count against it. The generic parts of an
address (scheme, ``www``, top-level domain, ``index.html``) say nothing and are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

_SHORTENER_HOSTS = """
    bit.ly tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at tiny.cc
    rb.gy t.ly s.id lnkd.in shorte.st adf.ly linktr.ee bl.ink short.io
    """
_SHORTENERS = frozenset(_SHORTENER_HOSTS.split())
# A link, for the normaliser's URL token and for reading it: a scheme or www; a bare host of a
# common top-level domain with a path; a bare shortener. The look-behind keeps a run of dots or
# letters ("a.a.a.a...") from being tried at every position (20,000 characters of it took 2.6 s).
LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|(?<![\w.-])[\w.-]+\.(?:com|de|net|org|io|ly|at|ch|info|shop|eu)/[^\s<>\"')\]]*"
    r"|(?<![\w.-])(?:" + "|".join(re.escape(host) for host in sorted(_SHORTENERS)) + r")/[^\s<>\"')\]]*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{3,}")
# Address parts that name no subject: scheme, subdomains, top-level domains, file types, CMS paths.
_GENERIC_WORDS = """
    http https www web com net org info biz eu de at ch uk co io ly gov edu html htm php aspx asp jsp
    shtml index home start page pages seite seiten artikel article articles news aktuell aktuelles
    content uploads upload files file download downloads media static assets images image img pdf doc
    docs view show detail details amp mobile blob main master tree wiki abs full print
    """
GENERIC_ADDRESS_WORDS = frozenset(_GENERIC_WORDS.split())
# Words of shop and deal-site host names ("funk-zubehoer-shop.de", "deals.example.com"); in a
# path they are a source's words as often (".../deal-mit-dem-land", ".../triple-product-record").
_SHOP_TERMS = """
    shop shops store stores kaufen bestellen angebot angebote deal deals sale rabatt gutschein
    gutscheine coupon coupons discount outlet amazon ebay aliexpress temu etsy otto zalando
    cart checkout produkt product products
    """
_SHOP_WORDS = frozenset(_SHOP_TERMS.split())
# A shop's own paths: a first segment such as /shop/, an article page of Amazon or eBay.
_SHOP_SEGMENTS = frozenset({"shop", "store", "kaufen", "bestellen", "cart", "checkout", "warenkorb"})
_SHOP_PATH = re.compile(r"/(?:dp|gp/product|itm)/[\w-]+")
# Query keys of affiliate links (not utm_*: a news site's shared links carry those too).
_AFFILIATE_KEYS = re.compile(r"^(?:ref|tag|aff|affid|affiliate|partner|partnerid|subid|coupon|promo|"
                             r"promocode|gutschein|clickid|irclickid)$")


#: The signs of a spam link, as spam signal names.
LINK_SIGNAL_NAMES = ("short_link", "shop_link", "affiliate_link")


@dataclass(frozen=True)
class Link:
    """One link of a comment: where it stands, the words of its address, and its spam signs."""

    start: int
    end: int
    host: str
    words: tuple[tuple[str, int, int], ...]  # (word, start, end) in the comment's text
    short: bool
    shop: bool
    affiliate: bool

    @property
    def spam_signs(self) -> tuple[str, ...]:
        """The names (:data:`LINK_SIGNAL_NAMES`) of the spam signs this link shows."""
        return tuple(name for name, shown in zip(LINK_SIGNAL_NAMES, (self.short, self.shop, self.affiliate),
                                                 strict=True) if shown)


def find_links(text: str) -> list[Link]:
    """Every link in ``text``, in order."""
    return [read_link(match) for match in LINK.finditer(text)]


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where the links of ``text`` stand (cheap: no address is parsed)."""
    if "/" not in text and "www." not in text.lower():  # LINK matches in any case
        return []
    return [match.span() for match in LINK.finditer(text)]


def read_link(match: re.Match[str]) -> Link:
    """The link of a match of :data:`LINK` (or of any pattern matching an address)."""
    address = match.group().rstrip(".,;:!?")
    try:
        parsed = urlsplit(address if "://" in address else f"http://{address}")
        host = (parsed.hostname or "").removeprefix("www.")
    except ValueError:  # "http://[x": no valid host; its words still count
        parsed, host = urlsplit(""), ""
    words = tuple((word.group(), match.start() + word.start(), match.start() + word.end())
                  for word in _WORD.finditer(address) if word.group().lower() not in GENERIC_ADDRESS_WORDS)
    query_keys = {key.lower() for key, _ in parse_qsl(parsed.query, keep_blank_values=True)}
    first_segment = parsed.path.strip("/").split("/", 1)[0].lower()
    host_labels = set(re.split(r"[.-]", host))
    return Link(
        start=match.start(),
        end=match.start() + len(address),
        host=host,
        words=words,
        short=host in _SHORTENERS,
        shop=bool(host_labels & _SHOP_WORDS) or first_segment in _SHOP_SEGMENTS
        or bool(_SHOP_PATH.search(parsed.path)),
        affiliate=any(_AFFILIATE_KEYS.match(key) for key in query_keys),
    )
