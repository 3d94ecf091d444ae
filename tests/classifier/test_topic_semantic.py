"""The on-topic model's second stage (similarity by meaning) and the cascades that share one embedding.

The cascade tests use the session's small model trained *with* the sentence encoder
(``encoder_model_dir`` in tests/classifier/fixtures.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from classifier.data.teamdata import load_team_data
from classifier.estimators.encoder import SentenceEmbedder
from classifier.ontopic.semantic import SEMANTIC_FEATURE_NAMES, SemanticTopicFeatures, article_sentences
from classifier.serving.bundle import load_model, read_metadata
from classifier.types import ArticleText, CommentInput

TOLERANCE = 1e-9  # the lexical stages: the same arithmetic
# The encoder computes in float32, and one text alone or in a batch differs in the last bits.
ENCODER_TOLERANCE = 1e-6

ARTICLE = ArticleText(
    "Wärmepumpen: Neue Förderung ab Januar",
    "Der Bund zahlt künftig bis zu 70 Prozent der Kosten einer neuen Wärmepumpe. "
    "Hausbesitzer müssen den Antrag vor Beginn der Arbeiten stellen. "
    "Kurz. "
    "Handwerksbetriebe berichten von langen Wartezeiten bei der Installation.",
)


class StubLexical:
    """A first stage that always answers the same log-odds."""

    def decision_function(self, comments):
        return np.full(len(comments), 0.25)


@pytest.fixture(scope="module")
def features() -> SemanticTopicFeatures:
    return SemanticTopicFeatures(lexical=StubLexical(), embedder=SentenceEmbedder()).fit([])


def embed(text: str) -> np.ndarray:
    return SentenceEmbedder().embed_one(text)


def test_article_sentences_are_the_title_then_the_statements_of_the_body() -> None:
    assert article_sentences(ARTICLE) == (
        "Wärmepumpen: Neue Förderung ab Januar",
        "Der Bund zahlt künftig bis zu 70 Prozent der Kosten einer neuen Wärmepumpe.",
        "Hausbesitzer müssen den Antrag vor Beginn der Arbeiten stellen.",
        "Handwerksbetriebe berichten von langen Wartezeiten bei der Installation.",
    )  # "Kurz." is a fragment, not a statement
    assert article_sentences(ArticleText("Nur ein Titel")) == ("Nur ein Titel",)


def test_long_unpunctuated_bodies_are_cut_into_bounded_pieces() -> None:
    words = [f"wort{i % 97}" for i in range(40_000)]  # ~280,000 characters, not one full stop
    sentences = article_sentences(ArticleText("Ein Titel", " ".join(words)))
    assert sentences[0] == "Ein Titel"
    assert 1 < len(sentences) <= 81  # the title and at most 80 pieces: embedding cost is bounded
    assert all(len(s) <= 400 for s in sentences)
    assert " ".join(sentences[1:3]) == " ".join(words)[: len(" ".join(sentences[1:3]))]  # cut between words


def test_a_comment_quoting_a_sentence_finds_that_sentence(features) -> None:
    quoted = "Hausbesitzer müssen den Antrag vor Beginn der Arbeiten stellen."
    row, match = features.describe_one(CommentInput(quoted, ARTICLE), embed(quoted), 1.5)
    names = dict(zip(SEMANTIC_FEATURE_NAMES, row, strict=True))
    assert match.sentence == quoted
    assert match.similarity == pytest.approx(1.0, abs=1e-3)
    assert names["best_sentence_similarity"] == pytest.approx(1.0, abs=1e-3)
    assert names["lexical_off_topic_logit"] == 1.5
    assert names["is_reply"] == names["parent_similarity"] == 0.0


def test_meaning_counts_across_languages_and_without_shared_words(features) -> None:
    english = "How long do you have to wait for an installer to fit a heat pump these days?"
    lunch = "Heute gibt es bei uns Linsensuppe, und danach gehe ich mit dem Hund raus."
    on_topic, _ = features.describe_one(CommentInput(english, ARTICLE), embed(english), 0.0)
    off_topic, _ = features.describe_one(CommentInput(lunch, ARTICLE), embed(lunch), 0.0)
    best = SEMANTIC_FEATURE_NAMES.index("best_sentence_similarity")
    whole = SEMANTIC_FEATURE_NAMES.index("article_similarity")
    assert on_topic[best] > off_topic[best] + 0.15
    assert on_topic[whole] > off_topic[whole]


def test_a_reply_is_compared_with_its_parent(features) -> None:
    parent = "Die Förderung hilft nur, wenn man überhaupt einen Handwerker findet."
    agreeing = "Genau, bei uns hat der Installateur erst in neun Monaten einen Termin frei."
    reply = CommentInput(agreeing, ARTICLE, parent_text=parent)
    row, _ = features.describe_one(reply, embed(agreeing), 0.0)
    names = dict(zip(SEMANTIC_FEATURE_NAMES, row, strict=True))
    assert names["is_reply"] == 1.0
    assert names["parent_similarity"] == pytest.approx(float(embed(parent) @ embed(agreeing)), abs=1e-6)
    # the parent's embedding, when the caller has it, is used as given
    given, _ = features.describe_one(reply, embed(agreeing), 0.0, parent_embedding=embed(agreeing))
    assert given[SEMANTIC_FEATURE_NAMES.index("parent_similarity")] == pytest.approx(1.0, abs=1e-3)


def test_transform_gives_the_rows_of_describe_one_and_embeds_each_article_once(monkeypatch) -> None:
    features = SemanticTopicFeatures(lexical=StubLexical(), embedder=SentenceEmbedder())
    calls: list[list[str]] = []
    original = SentenceEmbedder.transform

    def counting(self, texts):
        calls.append(list(texts))
        return original(self, texts)

    monkeypatch.setattr(SentenceEmbedder, "transform", counting)
    comments = [CommentInput("Was kostet die Wärmepumpe nach der Förderung?", ARTICLE),
                CommentInput("Endlich bewegt sich was.", ARTICLE, parent_text="Das dauert alles zu lange."),
                CommentInput("Hallo zusammen!", ArticleText("Ein anderer Artikel", "Ganz anderes Thema hier."))]
    rows = features.fit_transform(comments)
    assert rows.shape == (3, len(SEMANTIC_FEATURE_NAMES))
    assert np.all(rows[:, 0] == 0.25)  # the first stage's log-odds
    assert calls.count(list(article_sentences(ARTICLE))) == 1  # the shared article: embedded once
    for comment, row in zip(comments, rows, strict=True):
        parent = embed(comment.parent_text) if comment.parent_text else None
        expected, _ = features.describe_one(comment, embed(comment.text), 0.25, parent)
        np.testing.assert_allclose(row, expected, atol=1e-6)
    logits = features.transform(comments, lexical_logits=[1.0, 2.0, 3.0])
    assert list(logits[:, 0]) == [1.0, 2.0, 3.0]


def test_a_comment_without_an_article_is_refused(features) -> None:
    with pytest.raises(ValueError, match="article"):
        features.describe_one(CommentInput("Hallo"), embed("Hallo"), 0.0)


def test_the_article_cache_is_not_pickled(features) -> None:
    features.article(ARTICLE)
    assert "_article_cache" in features.__dict__
    assert "_article_cache" not in features.__getstate__()


# --- a model with both cascades ------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder_model(encoder_model_dir):
    return load_model(encoder_model_dir)


@pytest.fixture(scope="module")
def cascade_inputs(clf_cli_team_dir) -> list[CommentInput]:
    team = load_team_data(clf_cli_team_dir)
    articles = {a.id: ArticleText(a.title, a.body) for a in team.articles.values()}
    inputs = [CommentInput(c.text, articles[c.article_id], team.parent_text(c)) for c in team.comments]
    other = sorted(articles)
    inputs += [CommentInput(c.text, articles[other[(other.index(c.article_id) + 1) % len(other)]])
               for c in team.comments[::2]]
    return inputs


def test_the_fast_path_gives_the_pipelines_probabilities_in_both_cascades(encoder_model, cascade_inputs) -> None:
    model = encoder_model
    assert model.topic_encoder is not None and model.encoder is not None
    low, high = model.topic_cascade_band
    lexical_topic = model.topic.predict_proba(cascade_inputs)[:, 1]
    second_topic = model.topic_encoder.predict_proba(cascade_inputs)[:, 1]
    texts = [c.text for c in cascade_inputs]
    lexical_respect = model.respect.predict_proba(texts)[:, 1]
    second_respect = model.encoder.predict_proba(texts)[:, 1]
    consulted = 0
    for i, comment in enumerate(cascade_inputs):
        scores = model.score(comment)
        unsure = low <= lexical_topic[i] <= high
        consulted += unsure
        expected = second_topic[i] if unsure else lexical_topic[i]
        assert scores["on_topic"].score == pytest.approx(expected, abs=ENCODER_TOLERANCE if unsure else TOLERANCE)
        assert scores["on_topic"].signals["encoder_consulted"] is bool(unsure)
        assert ("closest_article_sentence" in scores["on_topic"].signals) is bool(unsure)
        r_low, r_high = model.cascade_band
        respect, tolerance = lexical_respect[i], TOLERANCE
        if r_low <= respect <= r_high:
            respect, tolerance = (respect + second_respect[i]) / 2.0, ENCODER_TOLERANCE
        assert scores["respectful"].score == pytest.approx(respect, abs=tolerance)
    assert 0 < consulted < len(cascade_inputs)  # the band splits the comments


def test_without_the_cascade_the_lexical_scores_stand(encoder_model, cascade_inputs) -> None:
    lexical = encoder_model.topic.predict_proba(cascade_inputs[:30])[:, 1]
    for comment, expected in zip(cascade_inputs[:30], lexical, strict=True):
        scores = encoder_model.score(comment, cascade=False)
        assert scores["on_topic"].score == pytest.approx(expected, abs=TOLERANCE)
        assert scores.slow_path is False


def test_both_cascades_share_one_embedding_per_comment(encoder_model, cascade_inputs, monkeypatch) -> None:
    embedded: list[str] = []
    original = SentenceEmbedder.embed_one

    def counting(self, text):
        embedded.append(text)
        return original(self, text)

    monkeypatch.setattr(SentenceEmbedder, "embed_one", counting)
    for comment in cascade_inputs[:60]:
        before = len(embedded)
        scores = encoder_model.score(comment)
        own = [text for text in embedded[before:] if text == comment.text]
        assert len(own) == (1 if scores.slow_path else 0)


def test_training_reports_the_second_stage_in_the_metadata(encoder_model, encoder_model_dir) -> None:
    metadata = read_metadata(encoder_model_dir)
    on_topic = metadata["cv_metrics"]["on_topic"]
    assert set(on_topic) == {"lexical", "cascade", "slow_path_share"}
    for name in ("lexical", "cascade"):
        assert 0.5 < on_topic[name]["official_f1"] <= 1.0
    assert 0.0 < on_topic["slow_path_share"] < 1.0
    assert metadata["options"]["topic_cascade_band"] == list(encoder_model.topic_cascade_band)
    # evaluation scores with the cascade, so its thresholds come from the cascade's out-of-fold scores
    assert metadata["respect_thresholds"] == metadata["cv_metrics"]["with_encoder"]["thresholds"]
    assert metadata["respect_corpus_thresholds"] == metadata["cv_metrics"]["with_encoder"]["corpus_thresholds"]
    assert set(metadata["cv_metrics"]["thresholds"]) == set(metadata["respect_thresholds"])
    assert encoder_model.embedder() is not None
