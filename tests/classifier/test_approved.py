"""Comments moderators approved under an article: the comment itself and close variants are found."""

from __future__ import annotations

import pytest

from classifier.ontopic import approved as approved_module
from classifier.ontopic.approved import SIMILAR, ApprovedComments
from classifier.ontopic.lexical import TopicFeatures
from classifier.types import ArticleText, CommentInput

CHARGING = ArticleText("Neue Ladesäulen in der Innenstadt", "Die Stadtwerke bauen zwanzig Schnellladesäulen.")
HEAT = ArticleText("Wärmepumpen: Förderung gekürzt", "Der Bund kürzt die Förderung für Wärmepumpen.")
APPROVED = "Danke dir, genau so läuft es bei uns im Viertel auch jeden Abend!"
PARENT = "Am Bahnhof sind die Säulen abends immer belegt."


@pytest.fixture
def features() -> TopicFeatures:
    texts = [(APPROVED, CHARGING), ("Die Säulen sind oft belegt.", CHARGING),
             ("Das Rezept für Zwiebelkuchen ist super.", HEAT), ("Förderung gekürzt, typisch.", HEAT)]
    return TopicFeatures().fit([CommentInput(text, article) for text, article in texts])


def test_the_approved_comment_and_a_close_variant_are_found_under_its_article(features) -> None:
    approved = ApprovedComments(features, [(CHARGING, PARENT, APPROVED)])
    assert len(approved) == 1
    assert approved.closest(APPROVED, CHARGING, PARENT, features).similarity == pytest.approx(1.0)
    variant = approved.closest("Danke dir, so läuft es bei uns im Viertel jeden Abend.", CHARGING, PARENT, features)
    assert variant.text == APPROVED and variant.similarity >= SIMILAR


def test_other_comments_and_other_articles_are_not_matched(features) -> None:
    approved = ApprovedComments(features, [(CHARGING, PARENT, APPROVED)])
    unrelated = approved.closest("Das Rezept für Zwiebelkuchen ist super.", CHARGING, PARENT, features)
    assert unrelated is None or unrelated.similarity < SIMILAR
    assert approved.closest(APPROVED, HEAT, PARENT, features) is None  # approved under another article


def test_an_approval_counts_only_where_it_stands_in_the_thread(features) -> None:
    approved = ApprovedComments(features, [(CHARGING, PARENT, APPROVED)])
    assert approved.closest(APPROVED, CHARGING, "Schönes Wochenende allen!", features) is None
    assert approved.closest(APPROVED, CHARGING, None, features) is None  # standalone


def test_only_the_latest_approvals_per_article_are_kept(features, monkeypatch) -> None:
    monkeypatch.setattr(approved_module, "PER_ARTICLE", 2)
    texts = ["Erste Antwort zur Säule", "Zweite Antwort zur Säule", "Dritte Antwort zur Säule"]
    # the first text is approved again last: it is among the latest two, the second is not
    approved = ApprovedComments(features, [(CHARGING, None, text) for text in [*texts, texts[0]]])
    assert len(approved) == 2
    assert approved.closest(texts[0], CHARGING, None, features).similarity == pytest.approx(1.0)
    assert approved.closest(texts[2], CHARGING, None, features).similarity == pytest.approx(1.0)
    assert approved.closest(texts[1], CHARGING, None, features).text != texts[1]
