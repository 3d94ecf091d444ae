"""Links are read as content (host and path words); only a link's spam signs count against it."""

from __future__ import annotations

import pytest

from classifier.ontopic.lexical import FEATURE_NAMES, TopicFeatures, content_words
from classifier.text.links import find_links
from classifier.text.spam_signals import spam_signals
from classifier.types import ArticleText, CommentInput

COVERAGE = ArticleText(
    "Funklöcher an Bahnstrecken: Netzbetreiber sollen nachrüsten",
    "Die Bundesnetzagentur verpflichtet die Mobilfunknetzbetreiber, entlang der Hauptstrecken "
    "durchgehend Empfang bereitzustellen. Die Versorgungsauflagen gelten bis Ende 2026.",
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Quelle: https://www.bundesnetzagentur.de/DE/Fachthemen/versorgungsauflagen.html",
         ["bundesnetzagentur", "Fachthemen", "versorgungsauflagen"]),
        ("siehe www.destatis.de/DE/Themen/Breitbandatlas/index.html", ["destatis", "Themen", "Breitbandatlas"]),
        ("Paper: https://arxiv.org/abs/2403.01234", ["arxiv"]),
        ("https://en.wikipedia.org/wiki/Deutschlandticket", ["wikipedia", "Deutschlandticket"]),
    ],
)
def test_a_links_host_and_path_words_are_read_and_its_generic_parts_dropped(text, words) -> None:
    (link,) = find_links(text)
    assert [word for word, _, _ in link.words] == words
    for word, start, end in link.words:
        assert text[start:end] == word
    assert not (link.short or link.shop or link.affiliate)


def test_link_words_are_content_words_and_the_address_noise_is_not() -> None:
    lemmas = [w.lemma for w in content_words("Steht hier: https://www.bundesnetzagentur.de/versorgungsauflagen.html")]
    assert "bundesnetzagentur" in lemmas and "versorgungsauflagen" in lemmas
    assert not {"https", "www", "html"} & set(lemmas)
    # in any case, as the link pattern matches
    assert "www" not in [w.lemma for w in content_words("Steht auf WWW.BUNDESNETZAGENTUR.DE")]
    # outside a link, such words are words like any other
    assert "html" in [w.lemma for w in content_words("Ich lerne gerade HTML und CSS")]


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Krass, schau mal: https://bit.ly/4gHx9Qa", "short_link"),
        ("tinyurl.com/gratis-handy hier klicken", "short_link"),
        ("Günstiger geht es hier: https://www.amazon.de/dp/B0CX12345?tag=sparfuchs-21", "shop_link"),
        ("https://www.amazon.de/dp/B0CX12345?tag=sparfuchs-21", "affiliate_link"),
        ("Mein Laden: https://funk-zubehoer-shop.de/repeater", "shop_link"),
        ("https://example.com/test?ref=spar123", "affiliate_link"),
        ("HTTPS://BIT.LY/ABC", "short_link"),  # links are matched in any case
        ("mehr unter t.co/abc123", "short_link"),  # a shortener needs no scheme
        ("https://example.com/shop/ladekabel", "shop_link"),
    ],
)
def test_the_spam_signs_of_a_link_are_signals(text, signal) -> None:
    assert spam_signals(text).get(signal) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Die Versorgungsauflagen stehen hier: https://www.bundesnetzagentur.de/versorgungsauflagen",
        "Der Bericht: https://www.tagesschau.de/inland/funkloch-101.html?utm_source=mastodon",
        "Open data: https://github.com/bundesnetzagentur/mobilfunk-monitoring",
        "doi.org/10.1000/182 hat die Messmethode",
        # shop words in a source's path are its words, not a shop
        "Die Tarife: https://www.bahn.de/angebot/regio/deutschlandticket",
        "Bericht: https://www.tagesschau.de/inland/deal-mit-dem-land-100.html",
        "Paper: https://www.ipp.mpg.de/5532/triple-product-record",
    ],
)
def test_a_link_to_a_source_is_no_spam_signal(text) -> None:
    assert spam_signals(text) == {}


def test_a_link_to_the_articles_regulator_counts_as_shared_article_words() -> None:
    comments = [CommentInput("Das Netz ist schlecht", COVERAGE), CommentInput("Pizza ist lecker", COVERAGE)]
    features = TopicFeatures().fit(comments)
    with_link = CommentInput("Lohnt sich: https://www.bundesnetzagentur.de/versorgungsauflagen", COVERAGE)
    bare = CommentInput("Lohnt sich: https://www.example.com/rezepte", COVERAGE)
    row, match = features.describe_one(with_link)
    bare_row, bare_match = features.describe_one(bare)
    assert {e.text for e in match.shared} == {"bundesnetzagentur", "versorgungsauflagen"}
    assert bare_match.shared == ()
    overlap = FEATURE_NAMES.index("article_overlap")
    assert row[overlap] == pytest.approx(2 / 3) and bare_row[overlap] == 0.0  # "lohnen" is the third
    assert not any(row[FEATURE_NAMES.index(f"spam_{name}")] for name in ("short_link", "shop_link", "affiliate_link"))


def test_shared_article_words_are_only_words_of_the_article_and_pieces_are_named_as_such() -> None:
    article = ArticleText("Kernfusion: Rekord im Versuchsreaktor", "Die Fusionskraft rückt näher, sagen Forscher.")
    features = TopicFeatures().fit([CommentInput("Fusion ist toll", article)])
    comment = CommentInput("Die Kernfusionsforschung überhaupt: Forscher erzählen viel", article)
    _, match = features.describe_one(comment)
    assert {e.text for e in match.shared} == {"Forscher"}
    pieces = dict(match.pieces)
    assert "kernfusionsforschung" in pieces and "überhaupt" not in pieces
    assert all(len(piece) == 5 for found in pieces.values() for piece in found)


@pytest.mark.parametrize("text", ["http://[x", "Siehe https://[foo]/x dazu", "www.[", "https://"])
def test_a_malformed_address_is_read_without_failing(text) -> None:
    for link in find_links(text):
        assert link.host == "" or link.host
    spam_signals(text)
    content_words(text)
