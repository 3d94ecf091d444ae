"""On-topic features and model: comments against their article (and parent), for unseen articles."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pytest

import classifier.caching as caching
from classifier.ontopic.lexical import FEATURE_NAMES, TopicFeatures, content_words, read_words
from classifier.text.spam_signals import SIGNAL_NAMES, spam_signals
from classifier.types import ArticleText, CommentInput

# Invented articles that no model has seen.
STRIKE = ArticleText(
    "Bahnstreik legt Regionalverkehr in Niedersachsen lahm",
    "Die Gewerkschaft hat die Lokführer zu einem zweitägigen Streik aufgerufen. Im "
    "Regionalverkehr zwischen Hannover, Bremen und Osnabrück fallen die meisten Züge aus. "
    "Pendler sollen auf Busse ausweichen; die Bahn richtet einen Ersatzfahrplan ein.",
)
TELESCOPE = ArticleText(
    "Neues Weltraumteleskop findet Wasserdampf auf fernem Exoplaneten",
    "Astronomen haben mit dem Teleskop die Atmosphäre eines Exoplaneten untersucht und "
    "Wasserdampf nachgewiesen. Der Planet umkreist einen roten Zwergstern in 120 Lichtjahren.",
)
ON_STRIKE = "Schon wieder Streik, und die Pendler aus Osnabrück stehen ohne Züge da. Der Ersatzfahrplan hilft kaum."
ON_TELESCOPE = "Wasserdampf auf einem Exoplaneten heißt noch nicht Leben, aber das Teleskop liefert tolle Daten."
CHATTER = "Hat jemand ein gutes Rezept für Apfelkuchen? Ich backe am Sonntag für die Familie."
REPLY = "Genau so ist es."


def column(name: str) -> int:
    return FEATURE_NAMES.index(name)


def row_of(features: TopicFeatures, comment: CommentInput) -> np.ndarray:
    return features.transform([comment])[0]


def shared_words(features: TopicFeatures, comment: CommentInput):
    """The comment's words whose lemma occurs in its article (the on-topic rule's signal)."""
    return features.describe_one(comment)[1].shared


@pytest.fixture
def features() -> TopicFeatures:
    comments = [CommentInput(text, article) for text, article in (
        (ON_STRIKE, STRIKE), (CHATTER, STRIKE), (ON_TELESCOPE, TELESCOPE), (REPLY, TELESCOPE))]
    references = [f"{a.title}\n{a.body}" for a in (STRIKE, TELESCOPE)]
    return TopicFeatures().fit(comments, reference_articles=references)


# --- features ------------------------------------------------------------------------------


def test_a_comment_sharing_article_words_has_more_overlap_than_chatter(features) -> None:
    rows = features.transform([CommentInput(ON_STRIKE, STRIKE), CommentInput(CHATTER, STRIKE)])
    assert rows.shape == (2, len(FEATURE_NAMES))
    on, off = rows
    for name in ("article_overlap", "log_shared_article_words", "article_cosine"):
        assert on[column(name)] > off[column(name)], name
    assert off[column("article_overlap")] == 0.0


def test_a_comment_for_another_article_is_closer_to_that_one(features) -> None:
    own = row_of(features, CommentInput(ON_TELESCOPE, TELESCOPE))
    wrong = row_of(features, CommentInput(ON_TELESCOPE, STRIKE))
    assert wrong[column("other_article_margin")] > 0 > own[column("other_article_margin")]


def test_reply_features(features) -> None:
    reply = row_of(features, CommentInput(REPLY, STRIKE, parent_text=ON_STRIKE))
    alone = row_of(features, CommentInput(REPLY, STRIKE))
    assert reply[column("is_reply")] == 1.0 and alone[column("is_reply")] == 0.0
    assert reply[column("short_reply")] == 1.0
    assert reply[column("parent_article_cosine")] > 0.2
    assert reply[column("reply_to_on_topic_parent")] == reply[column("parent_article_cosine")]
    chatter_parent = row_of(features, CommentInput(REPLY, STRIKE, parent_text=CHATTER))
    assert chatter_parent[column("reply_to_on_topic_parent")] < reply[column("reply_to_on_topic_parent")]


def test_shared_words_are_spans_of_the_comment(features) -> None:
    shared = shared_words(features, CommentInput(ON_STRIKE, STRIKE))
    assert {e.text for e in shared} >= {"Streik", "Pendler", "Osnabrück", "Ersatzfahrplan"}
    for e in shared:
        assert ON_STRIKE[e.start : e.end] == e.text and e.weight > 0
    assert shared_words(features, CommentInput(CHATTER, STRIKE)) == ()


def test_spam_signals_are_features(features) -> None:
    row = row_of(features, CommentInput("Gratis Bitcoin! Link in Bio, https://bit.ly/abzocke", STRIKE))
    assert row[column("spam_short_link")] > 0 and row[column("spam_link_in_bio")] > 0
    assert row[column("spam_money_promise")] > 0
    assert features.get_feature_names_out().tolist() == list(FEATURE_NAMES)


def test_lemmas_let_inflected_words_meet() -> None:
    lemmas = [w.lemma for w in content_words("Die Ladesäulen und eine Ladesäule, Züge und der Zug")]
    assert lemmas[0] == lemmas[1]
    assert lemmas[2] == lemmas[3]
    assert "die" not in lemmas and "und" not in lemmas


# --- the article cache ---------------------------------------------------------------------


def test_article_cache_is_not_pickled(features) -> None:
    features.transform([CommentInput(ON_STRIKE, STRIKE), CommentInput(ON_TELESCOPE, TELESCOPE)])
    assert len(features.__dict__["_article_cache"]) == 2
    payload = pickle.dumps(features)
    assert b"_article_cache" not in payload
    restored = pickle.loads(payload)
    assert "_article_cache" not in restored.__dict__
    assert "_article_cache" in features.__dict__  # pickling does not clear the live cache
    np.testing.assert_array_equal(row_of(restored, CommentInput(ON_STRIKE, STRIKE)),
                                  row_of(features, CommentInput(ON_STRIKE, STRIKE)))


def test_the_saved_bundle_has_no_article_cache(trained_bundle) -> None:
    model = joblib.load(trained_bundle.path / "model.joblib")  # fitting filled the cache
    assert "_article_cache" not in model.topic.named_steps["features"].__dict__


def test_refitting_drops_the_cache(features) -> None:
    comment = CommentInput(ON_STRIKE, STRIKE)
    row_of(features, comment)
    background = [CHATTER] * 5 + [ON_STRIKE] * 20  # makes the strike words common
    features.fit([comment], background=background)
    fresh = TopicFeatures().fit([comment], background=background)
    np.testing.assert_array_equal(row_of(features, comment), row_of(fresh, comment))


def test_the_cache_is_bounded(features, monkeypatch) -> None:
    monkeypatch.setattr(caching, "ARTICLE_CACHE_SIZE", 3)
    for number in range(6):
        row_of(features, CommentInput(ON_STRIKE, ArticleText(f"Artikel {number}", STRIKE.body)))
    assert len(features.__dict__["_article_cache"]) <= 3


# --- the trained on-topic model on articles it has never seen ------------------------------


def off_topic(model, text: str, article: ArticleText, parent: str | None = None) -> float:
    return model.score(CommentInput(text, article, parent), evidence=False)["on_topic"].score


def test_on_topic_comment_scores_below_chatter(trained_model) -> None:
    for article, comment in ((STRIKE, ON_STRIKE), (TELESCOPE, ON_TELESCOPE)):
        on, chatter = off_topic(trained_model, comment, article), off_topic(trained_model, CHATTER, article)
        assert on < 0.5 < chatter, (article.title, on, chatter)


def test_a_comment_scores_further_off_topic_under_another_article_than_under_its_own(trained_model) -> None:
    # Not necessarily above a hold threshold: sharing no word with an article is common for
    # on-topic comments too (experiences told in other words); the word-based model alone cannot
    # tell the two apart, the sentence encoder's second stage reads the meaning.
    own = off_topic(trained_model, ON_TELESCOPE, TELESCOPE)
    assert off_topic(trained_model, ON_TELESCOPE, STRIKE) > own and own < 0.5


def test_short_reply_to_an_on_topic_parent_is_on_topic(trained_model) -> None:
    reply = off_topic(trained_model, REPLY, STRIKE, parent=ON_STRIKE)
    assert reply < 0.5
    assert reply < off_topic(trained_model, REPLY, STRIKE, parent=CHATTER)


def test_spam_is_off_topic_and_reports_its_signals(trained_model) -> None:
    text = "Verdiene 500 € am Tag von zu Hause! Infos in meiner Bio, schreib mir auf WhatsApp."
    rule = trained_model.score(CommentInput(text, STRIKE))["on_topic"]
    assert rule.score > 0.5
    assert {"price", "link_in_bio", "contact", "money_promise"} <= set(rule.signals["spam_signals"])


# --- spam signals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Mehr auf https://bit.ly/3xYzq", "short_link"),
        ("Hier bestellen: https://www.amazon.de/dp/B0C1234567", "shop_link"),
        ("Testbericht: https://example.com/ladegeraet?tag=spar-21", "affiliate_link"),
        ("Nur heute 49,99 € statt 99 €", "price"),
        ("Link in Bio!", "link_in_bio"),
        ("Schreib mir auf Telegram", "contact"),
        ("Passives Einkommen mit Krypto", "money_promise"),
        ("Teile das an 10 Freunde, sonst Pech!", "chain_letter"),
        ("Erster!", "first"),
        ("IHR WERDET ALLE BELOGEN", "shouting"),
    ],
)
def test_spam_signal_fires(text: str, signal: str) -> None:
    assert signal in SIGNAL_NAMES
    assert spam_signals(text).get(signal, 0) >= 1


def test_no_spam_signal_in_an_ordinary_comment() -> None:
    assert spam_signals("Der Streik trifft vor allem Pendler, die keine Alternative haben.") == {}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ich finde, dass die Ladesäulen viel zu teuer sind.", "de"),
        ("I think that the chargers are far too expensive for what they offer.", "en"),
        ("Ladesäulen teuer.", None),  # no function words: cannot tell
        ("Die the.", None),  # one of each: a tie
    ],
)
def test_read_words_tells_the_language_from_function_words(text, language):
    words, guessed = read_words(text)
    assert guessed == language
    assert [w.lemma for w in words] == [w.lemma for w in content_words(text)]
    assert all(text[w.start : w.end].lower() not in {"die", "the", "dass", "that"} for w in words)


def test_a_link_to_a_source_is_read_and_a_spam_link_is_not_excused(trained_model) -> None:
    source = "Der Ersatzfahrplan steht hier: https://www.bahn.de/ersatzfahrplan-niedersachsen-streik"
    spam = "Hier klicken: https://bit.ly/4gHx9Qa"
    scores = trained_model.score(CommentInput(source, STRIKE))
    assert {"ersatzfahrplan", "streik", "niedersachsen"} <= set(scores["on_topic"].signals["shared_article_words"])
    assert scores["on_topic"].score < off_topic(trained_model, spam, STRIKE)
    assert scores["spam"].signals["spam_signals"] == {}
    spam_scores = trained_model.score(CommentInput(spam, STRIKE))
    assert spam_scores["spam"].signals["spam_signals"] == {"short_link": 1}
    assert scores["spam"].score < spam_scores["spam"].score
