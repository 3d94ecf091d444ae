"""The lean scoring path gives the fitted pipelines' probabilities, to 1e-9.

``ModerationModel.score`` never calls the pipelines; these tests compare it with them on every
comment of the team data (and on odd inputs), for every head the bundle has.
"""

from __future__ import annotations

import copy
import gc
import weakref

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.data.teamdata import load_team_data
from classifier.serving.linear import FastTfidf
from classifier.text.ngrams import NgramAnalyzer
from classifier.text.normalize import normalize_text
from classifier.types import ArticleText, CommentInput

TOLERANCE = 1e-9
ODD_TEXTS = [
    "",
    "   ",
    "zzqxv wqkkp",  # no known n-gram at all
    "🙂🙂🙂",
    "https://example.com/abc",
    "@someone",
    "!!!",
    "Du bist ein V 0 l l i d i o t, echt.",
    "Idioooooot " * 200,
    "Ｄｕ ｂｉｓｔ ＥＩＮ Ｉｄｉｏｔ",
]


@pytest.fixture(scope="module")
def team(clf_team_dir):
    return load_team_data(clf_team_dir)


@pytest.fixture(scope="module")
def texts(team) -> list[str]:
    return [comment.text for comment in team.comments] + ODD_TEXTS


@pytest.fixture(scope="module")
def comment_inputs(team) -> list[CommentInput]:
    """Each team comment under its own article (with its parent) and under another article."""
    articles = {a.id: ArticleText(a.title, a.body) for a in team.articles.values()}
    ids = sorted(articles)
    inputs = []
    for number, comment in enumerate(team.comments):
        parent = team.parent_text(comment)
        inputs.append(CommentInput(comment.text, articles[comment.article_id], parent))
        if number % 3 == 0:
            other = ids[(ids.index(comment.article_id) + 1) % len(ids)]
            inputs.append(CommentInput(comment.text, articles[other], None))
    return inputs


def lean(model, texts, rule: str) -> np.ndarray:
    return np.array([model.score(CommentInput(text), cascade=False)[rule].score for text in texts])


def test_respect_probability_equals_the_pipeline(trained_model, texts) -> None:
    expected = trained_model.respect.predict_proba(texts)[:, 1]
    np.testing.assert_allclose(lean(trained_model, texts, "respectful"), expected, rtol=0, atol=TOLERANCE)


def test_spam_probability_equals_the_pipeline(trained_model, texts) -> None:
    expected = trained_model.spam.predict_proba(texts)[:, 1]
    np.testing.assert_allclose(lean(trained_model, texts, "spam"), expected, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("text", ODD_TEXTS[:4] + ["Das ist ein sachlicher Kommentar.", "Du Depp!"])
def test_single_text_equals_a_single_pipeline_call(trained_model, text: str) -> None:
    scores = trained_model.score(CommentInput(text), cascade=False)
    assert scores["respectful"].score == pytest.approx(trained_model.respect.predict_proba([text])[0, 1],
                                                    rel=0, abs=TOLERANCE)
    assert scores["spam"].score == pytest.approx(trained_model.spam.predict_proba([text])[0, 1],
                                              rel=0, abs=TOLERANCE)


def test_other_domain_head_equals_the_pipeline_with_that_domain(trained_model, texts) -> None:
    assert "tweet" in trained_model.respect.named_steps["clf"].domains_
    reference = copy.deepcopy(trained_model.respect).set_params(clf__domain="tweet")
    expected = reference.predict_proba(texts)[:, 1]
    tweets = trained_model.with_respect_domain("tweet")
    np.testing.assert_allclose(lean(tweets, texts, "respectful"), expected, rtol=0, atol=TOLERANCE)
    # and the heads really differ, so the comparison above could fail
    assert not np.allclose(expected, trained_model.respect.predict_proba(texts)[:, 1], atol=1e-3)


def test_topic_probability_equals_the_pipeline(trained_model, comment_inputs) -> None:
    expected = trained_model.topic.predict_proba(comment_inputs)[:, 1]
    got = [trained_model.score(c, cascade=False, evidence=False)["on_topic"].score for c in comment_inputs]
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)
    one = comment_inputs[1]
    assert trained_model.score(one)["on_topic"].score == pytest.approx(
        trained_model.topic.predict_proba([one])[0, 1], rel=0, abs=TOLERANCE)


def test_evidence_and_cascade_flags_do_not_change_probabilities(trained_model, comment_inputs) -> None:
    for comment in comment_inputs[:150]:
        plain = trained_model.score(comment, evidence=False, cascade=False).as_dict()
        assert trained_model.score(comment).as_dict() == plain  # no encoder in this bundle


def test_predict_proba_columns(trained_model, comment_inputs) -> None:
    sample = comment_inputs[:40]
    table = trained_model.predict_proba(sample)
    assert table.shape == (40, 3)
    np.testing.assert_allclose(table[:, 0], trained_model.respect.predict_proba([c.text for c in sample])[:, 1],
                               rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(table[:, 1], trained_model.topic.predict_proba(sample)[:, 1], rtol=0, atol=TOLERANCE)


def test_without_an_article_the_topic_rule_is_skipped(trained_model) -> None:
    scores = trained_model.score(CommentInput("Gute Frage, das sehe ich auch so."))
    assert scores["on_topic"].score == 0.0
    assert scores["on_topic"].signals == {"skipped": "no article given"}
    assert scores.model_version == trained_model.version
    assert scores.slow_path is False


def test_fast_tfidf_equals_the_vectorizer_row(trained_model, texts) -> None:
    vectorizer = trained_model.respect.named_steps["tfidf"]
    fast = FastTfidf.from_vectorizer(vectorizer)
    matrix = vectorizer.transform(texts[::7]).tocsr()
    for row, text in enumerate(texts[::7]):
        vector = fast.transform_normalized(normalize_text(text))
        expected = matrix.getrow(row)
        order = np.argsort(expected.indices)
        np.testing.assert_array_equal(vector.indices, expected.indices[order])
        np.testing.assert_allclose(vector.values, expected.data[order], rtol=0, atol=1e-12)


def test_fast_tfidf_refuses_settings_it_does_not_implement() -> None:
    vectorizer = TfidfVectorizer(analyzer=NgramAnalyzer(), sublinear_tf=False).fit(["ein text", "noch einer"])
    with pytest.raises(ValueError, match="sublinear_tf"):
        FastTfidf.from_vectorizer(vectorizer)


def test_a_fast_tfidf_is_freed_without_the_garbage_collector(trained_model, texts) -> None:
    # gunicorn freezes the preloaded objects (gc.freeze): one kept alive only by a reference
    # cycle, e.g. through its own word cache, would stay in memory after a model swap.
    fast = FastTfidf.from_vectorizer(trained_model.respect.named_steps["tfidf"])
    fast.transform_normalized(normalize_text(texts[0]))  # fills the cache
    freed = weakref.ref(fast)
    gc.disable()
    try:
        del fast
        assert freed() is None
    finally:
        gc.enable()
