"""Evidence: the words that drove a score, as exact spans of the ORIGINAL comment text."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.data.teamdata import load_team_data
from classifier.serving.evidence import word_evidence
from classifier.serving.linear import FastTfidf
from classifier.text.ngrams import NgramAnalyzer
from classifier.text.normalize import normalize
from classifier.types import ArticleText, CommentInput, Evidence


def assert_spans_exact(text: str, evidence: tuple[Evidence, ...]) -> None:
    for item in evidence:
        assert 0 <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.text


# --- word_evidence on hand-made contributions (no model) -----------------------------------


def evidence_for(text: str, weights: dict[str, float], **limits) -> tuple[Evidence, ...]:
    """word_evidence with a vocabulary of just ``weights``' n-grams, each contributing its weight."""
    names = list(weights)
    tfidf = FastTfidf(NgramAnalyzer(), {name: i for i, name in enumerate(names)}, np.ones(len(names)))
    normalized = normalize(text)
    vector = tfidf.transform_normalized(normalized.text)
    contributions = np.array([weights[names[i]] for i in vector.indices])
    return word_evidence(text, normalized, vector, contributions, **limits)


def test_contributions_are_summed_per_word_and_mapped_to_the_original() -> None:
    text = "Du bist ein V 0 l l i d i o t, echt."
    evidence = evidence_for(text, {"w:vollidiot": 2.0, "idiot": 1.0, "w:ein vollidiot": 1.0,
                                   "w:echt": -3.0})
    # vollidiot: its word and a char n-gram; a word bigram counts for its first word ("ein")
    assert evidence == (Evidence("V 0 l l i d i o t", 12, 29, 3.0), Evidence("ein", 8, 11, 1.0))
    assert_spans_exact(text, evidence)


def test_a_feature_occurring_twice_shares_its_weight() -> None:
    text = "Idiot und nochmal Idiot"
    assert evidence_for(text, {"w:idiot": 2.0}) == (Evidence("Idiot", 0, 5, 1.0),
                                                     Evidence("Idiot", 18, 23, 1.0))


def test_negative_contributions_and_weak_words_are_left_out() -> None:
    text = "Ein Idiot, sagt ein Nachbar."
    evidence = evidence_for(text, {"w:idiot": 4.0, "w:nachbar": -2.0, "w:sagt": 0.5})
    # "sagt" is below a quarter of the strongest word; "nachbar" speaks against a violation
    assert evidence == (Evidence("Idiot", 4, 9, 4.0),)


def test_punctuation_around_a_word_is_not_highlighted() -> None:
    text = "„Idiot!“, sagte er."
    assert evidence_for(text, {"w:idiot": 1.0}) == (Evidence("Idiot", 1, 6, 1.0),)


def test_limits_on_the_number_and_weight_of_words() -> None:
    text = "eins zwei drei vier fünf sechs sieben"
    words = normalize(text).text.split()
    weights = dict(zip([f"w:{word}" for word in words], np.linspace(1.0, 0.7, len(words)), strict=True))
    evidence = evidence_for(text, weights, max_words=3)
    assert [e.text for e in evidence] == ["eins", "zwei", "drei"]
    assert evidence_for(text, {k: v * 0.01 for k, v in weights.items()}) == ()  # below min_weight
    assert evidence_for(text, {"w:nichtdrin": 1.0}) == ()


# --- the trained model ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "obfuscated"),
    [
        ("Du bist ein V 0 l l i d i o t, echt.", "V 0 l l i d i o t"),
        ("Was bist du nur für ein V0llid1ot!", "V0llid1ot"),
        ("Halt die Klappe, du I-d-i-o-t.", "I-d-i-o-t"),
        ("So ein P.e.n.n.e.r, ehrlich.", "P.e.n.n.e.r"),
        ("Du bist ein I💩d💩i💩o💩t", "I💩d💩i💩o💩t"),
        ("Was für ein Vollidiooooot!", "Vollidiooooot"),
        ("Der Autor ist ein ＶＯＬＬＩＤＩＯＴ.", "ＶＯＬＬＩＤＩＯＴ"),
    ],
)
def test_evidence_covers_the_obfuscated_insult_in_the_original(trained_model, text: str,
                                                               obfuscated: str) -> None:
    scores = trained_model.score(CommentInput(text), cascade=False)
    evidence = scores["respectful"].evidence
    assert scores["respectful"].score > 0.5
    assert_spans_exact(text, evidence)
    start = text.index(obfuscated)
    spans = [(e.text, e.start, e.end) for e in evidence]
    assert (obfuscated, start, start + len(obfuscated)) in spans
    weights = [e.weight for e in evidence]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)


def test_the_obfuscated_insult_is_the_strongest_evidence_when_alone(trained_model) -> None:
    text = "V 0 l l i d i o t"
    evidence = trained_model.score(CommentInput(text), cascade=False)["respectful"].evidence
    assert (evidence[0].text, evidence[0].start, evidence[0].end) == (text, 0, len(text))


def test_every_evidence_span_of_the_team_comments_is_exact(trained_model, clf_team_dir) -> None:
    team = load_team_data(clf_team_dir)
    for comment in team.comments:
        article = team.articles[comment.article_id]
        scores = trained_model.score(
            CommentInput(comment.text, ArticleText(article.title, article.body), team.parent_text(comment)),
            cascade=False,
        )
        for rule in (scores["respectful"], scores["spam"], scores["on_topic"]):
            assert_spans_exact(comment.text, rule.evidence)


def test_topic_signals_name_the_shared_article_words(trained_model) -> None:
    article = ArticleText("Neue Ladesäulen an der Autobahn", "Der Bund fördert Schnellladesäulen an Raststätten.")
    text = "Die Ladesäulen an der Autobahn sind oft kaputt."
    rule = trained_model.score(CommentInput(text, article))["on_topic"]
    assert rule.signals["shared_article_words"] == ["autobahn", "ladesäulen"]
    assert rule.signals["shares_no_article_words"] is False
    chatter_text = "Hat jemand ein Rezept für Apfelkuchen? Bei uns regnet es schon wieder."
    chatter = trained_model.score(CommentInput(chatter_text, article))["on_topic"]
    assert chatter.signals["shares_no_article_words"] is True
    # evidence points towards the violation, like every rule's: the chatter words, never the article's
    assert_spans_exact(chatter_text, chatter.evidence)
    assert all(e.weight > 0 for e in chatter.evidence)
    assert not {e.text.lower() for e in rule.evidence} & {"ladesäulen", "autobahn"}


def test_no_evidence_when_not_asked(trained_model) -> None:
    scores = trained_model.score(CommentInput("Du bist ein V0llid1ot", ArticleText("Titel", "Text")),
                                 evidence=False)
    assert scores["respectful"].evidence == scores["spam"].evidence == scores["on_topic"].evidence == ()


def test_spam_evidence_highlights_the_whole_link(trained_model) -> None:
    text = "Super Angebot: https://example.com/super/deal?id=5 jetzt kaufen!"
    evidence = trained_model.score(CommentInput(text), cascade=False)["spam"].evidence
    assert_spans_exact(text, evidence)
    link = [e for e in evidence if e.text.startswith("https")]
    assert link and link[0].text == "https://example.com/super/deal?id=5"


def test_a_spam_link_is_highlighted_whole_never_its_last_character(trained_model) -> None:
    text = "Jetzt zuschlagen: https://bit.ly/abc123 und https://www.amazon.de/dp/B0C1234567?tag=x-21"
    evidence = trained_model.score(CommentInput(text), cascade=False)["spam"].evidence
    assert_spans_exact(text, evidence)
    assert {e.text for e in evidence} & {"https://bit.ly/abc123", "https://www.amazon.de/dp/B0C1234567?tag=x-21"}
    assert all(len(e.text) > 1 for e in evidence)
