"""Model bundles: save/load round trip, CURRENT, refusal of damaged or foreign bundles, pruning."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import classifier.serving.bundle as bundle
from classifier.estimators.domain import DomainAdaptedClassifier
from classifier.ontopic.lexical import TopicFeatures
from classifier.serving.bundle import (
    CURRENT_FILE,
    KEEP_VERSIONS,
    METADATA_FILE,
    MODEL_FILE,
    ModelLoadError,
    current_version,
    load_model,
    read_metadata,
    save_model,
)
from classifier.serving.model import SITE_DOMAIN, ModerationModel
from classifier.text.ngrams import NgramAnalyzer
from classifier.types import ArticleText, CommentInput
from common.digest import sha256_of

GOOD = [f"Danke für den Bericht über {w}, sehr hilfreich." for w in
        ("Busse", "Bahnen", "Räder", "Autos", "Schiffe", "Flüge", "Brücken", "Straßen", "Tunnel", "Häfen")]
BAD = [f"Du bist ein {w}, echt jetzt." for w in
       ("Idiot", "Depp", "Trottel", "Penner", "Hohlkopf", "Vollpfosten", "Schwachkopf", "Dummkopf", "Esel", "Clown")]
BUS = ArticleText("Neue Busspur in der Innenstadt", "Die Stadt testet eine Busspur für Busse und Räder.")
RUN = ArticleText("Rekord beim Marathon", "Ein Läufer lief beim Marathon einen neuen Rekord.")
PROBES = [CommentInput("Du Idiot", BUS), CommentInput("Danke für den Bericht über Busse", BUS, "Gute Busspur")]


def tiny_model() -> ModerationModel:
    """A small but complete ModerationModel (fitted in well under a second)."""
    texts, labels = GOOD + BAD, np.array([0] * len(GOOD) + [1] * len(BAD))
    tfidf = TfidfVectorizer(analyzer=NgramAnalyzer(), sublinear_tf=True)
    respect = Pipeline([("tfidf", tfidf), ("clf", DomainAdaptedClassifier(cv=2, domain=SITE_DOMAIN))])
    respect.fit(texts, labels)
    spam_head = DomainAdaptedClassifier(cv=2).fit(tfidf.transform(texts), 1 - labels)
    inputs = [CommentInput(text, BUS if number % 2 else RUN) for number, text in enumerate(GOOD * 2)]
    topic = Pipeline([("features", TopicFeatures()), ("scale", StandardScaler()),
                      ("clf", DomainAdaptedClassifier(cv=2))])
    topic.fit(inputs, np.array([number % 2 == 0 for number in range(len(inputs))], dtype=int))
    return ModerationModel(respect, Pipeline([("tfidf", tfidf), ("clf", spam_head)]), topic)


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> tuple[Path, Path, ModerationModel]:
    """A tiny model saved once: (model_dir, bundle path, the model object). Do not save it again."""
    model = tiny_model()
    model_dir = tmp_path_factory.mktemp("bundle")
    path = save_model(model, model_dir, {"note": "tiny", "sources": [{"name": "test"}]})
    return model_dir, path, model


@pytest.fixture
def session_copy(trained_bundle, tmp_path) -> Path:
    """A private copy of the session's model directory, to damage at will."""
    target = tmp_path / "models"
    shutil.copytree(trained_bundle.model_dir, target)
    return target


def rewrite_metadata(model_dir: Path, **changes) -> None:
    path = model_dir / current_version(model_dir) / METADATA_FILE
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata.update(changes)
    path.write_text(json.dumps(metadata), encoding="utf-8")


# --- round trip ----------------------------------------------------------------------------


def test_save_writes_a_versioned_bundle_and_current(saved) -> None:
    model_dir, path, model = saved
    assert path.parent == model_dir
    assert (model_dir / CURRENT_FILE).read_text(encoding="utf-8") == f"{path.name}\n"
    assert current_version(model_dir) == path.name == model.version
    assert sorted(p.name for p in path.iterdir()) == [METADATA_FILE, MODEL_FILE]
    assert not [p for p in model_dir.iterdir() if p.name.startswith(".")]  # no staging left over
    metadata = json.loads((path / METADATA_FILE).read_text(encoding="utf-8"))
    assert metadata["version"] == path.name
    assert metadata["model_sha256"] == hashlib.sha256((path / MODEL_FILE).read_bytes()).hexdigest()
    assert path.name.endswith(metadata["model_sha256"][:8])
    assert metadata["model_bytes"] == (path / MODEL_FILE).stat().st_size
    assert metadata["libraries"]["scikit-learn"] == sklearn.__version__
    assert {"python", "numpy", "scipy", "joblib", "simplemma"} <= set(metadata["libraries"])
    assert metadata["note"] == "tiny" and metadata["sources"] == [{"name": "test"}]
    datetime.fromisoformat(metadata["created"])
    assert read_metadata(model_dir) == metadata


def test_load_gives_the_same_scores(saved) -> None:
    model_dir, path, model = saved
    loaded = load_model(model_dir)
    assert isinstance(loaded, ModerationModel)
    assert loaded.version == path.name
    for comment in PROBES:
        assert loaded.score(comment).as_dict() == model.score(comment).as_dict()
    assert load_model(model_dir, path.name).version == path.name


def test_the_session_bundle_loads(trained_bundle, trained_model) -> None:
    assert trained_model.version == trained_bundle.path.name == trained_bundle.metadata["version"]
    assert current_version(trained_bundle.model_dir) == trained_bundle.path.name


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["flip", "append", "truncate"])
def test_a_changed_model_file_is_refused(session_copy, damage: str) -> None:
    model_file = session_copy / current_version(session_copy) / MODEL_FILE
    data = bytearray(model_file.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "append":
        data += b"\0"
    else:
        data = data[: len(data) // 2]
    model_file.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match=r"does not match its metadata \(sha256") as error:
        load_model(session_copy)
    assert "retrain" in str(error.value)
    assert str(model_file) in str(error.value)


def test_another_scikit_learn_version_is_refused(session_copy) -> None:
    metadata = read_metadata(session_copy)
    rewrite_metadata(session_copy, libraries={**metadata["libraries"], "scikit-learn": "0.24.2"})
    with pytest.raises(ModelLoadError) as error:
        load_model(session_copy)
    message = str(error.value)
    assert "scikit-learn 0.24.2" in message and sklearn.__version__ in message
    assert "moderation train" in message


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_no_model_says_to_train_one(tmp_path, state: str) -> None:
    model_dir = tmp_path / "models"
    if state == "empty":
        model_dir.mkdir()
    with pytest.raises(ModelLoadError, match="moderation train"):
        load_model(model_dir)
    assert current_version(model_dir) is None


def test_current_naming_a_missing_version_is_refused(session_copy) -> None:
    shutil.rmtree(session_copy / current_version(session_copy))
    with pytest.raises(ModelLoadError, match="names version .* but there is no folder"):
        load_model(session_copy)


@pytest.mark.parametrize("content", [b"../elsewhere", b"/tmp/model", b"\xff\xfe"])
def test_current_that_is_no_version_name_is_refused(session_copy, content: bytes) -> None:
    (session_copy / "CURRENT").write_bytes(content)
    with pytest.raises(ModelLoadError, match="CURRENT"):
        load_model(session_copy)


def test_current_that_is_a_folder_is_refused(session_copy) -> None:
    (session_copy / "CURRENT").unlink()
    (session_copy / "CURRENT").mkdir()
    with pytest.raises(ModelLoadError, match="cannot be read"):
        current_version(session_copy)


@pytest.mark.parametrize("metadata", ["[1, 2]", "{}", '{"version": "v", "libraries": "x"}'])
def test_metadata_of_the_wrong_shape_is_refused(session_copy, metadata: str) -> None:
    (session_copy / current_version(session_copy) / "metadata.json").write_text(metadata)
    with pytest.raises(ModelLoadError, match="not the metadata"):
        load_model(session_copy)


def test_a_damaged_model_file_with_a_matching_hash_is_refused(session_copy) -> None:
    folder = session_copy / current_version(session_copy)
    (folder / MODEL_FILE).write_bytes(b"not a pickle at all")
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["model_sha256"] = sha256_of(folder / MODEL_FILE)
    (folder / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(ModelLoadError, match="cannot be loaded"):
        load_model(session_copy)


def test_a_missing_model_file_is_refused(session_copy) -> None:
    (session_copy / current_version(session_copy) / MODEL_FILE).unlink()
    with pytest.raises(ModelLoadError, match="is missing; retrain"):
        load_model(session_copy)


def test_broken_metadata_is_refused(session_copy) -> None:
    (session_copy / current_version(session_copy) / METADATA_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="not valid JSON"):
        load_model(session_copy)


def test_a_file_that_is_not_a_model_is_refused(session_copy) -> None:
    model_file = session_copy / current_version(session_copy) / MODEL_FILE
    joblib.dump({"not": "a model"}, model_file)
    rewrite_metadata(session_copy, model_sha256=hashlib.sha256(model_file.read_bytes()).hexdigest())
    with pytest.raises(ModelLoadError, match="does not hold a moderation model"):
        load_model(session_copy)


# --- writing and pruning -------------------------------------------------------------------


def fake_version(model_dir: Path, name: str) -> Path:
    folder = model_dir / name
    folder.mkdir(parents=True)
    (folder / METADATA_FILE).write_text(json.dumps({"version": name}), encoding="utf-8")
    return folder


def test_pruning_keeps_at_most_five_versions(tmp_path) -> None:
    model = tiny_model()
    model_dir = tmp_path / "models"
    old = [fake_version(model_dir, f"2020010{day}T000000Z-0000000{day}").name for day in range(1, 8)]
    (model_dir / "notes").mkdir()  # not a bundle: left alone
    path = save_model(model, model_dir, {})
    versions = sorted(p.name for p in model_dir.iterdir() if (p / METADATA_FILE).exists())
    assert KEEP_VERSIONS == 5
    assert versions == sorted(old[-4:] + [path.name])
    assert current_version(model_dir) == path.name
    assert (model_dir / "notes").is_dir()
    assert load_model(model_dir).version == path.name


def test_a_failed_save_leaves_the_current_model_alone(saved, tmp_path, monkeypatch) -> None:
    model_dir, path, _ = saved
    target = tmp_path / "models"
    shutil.copytree(model_dir, target)

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bundle.joblib, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        save_model(tiny_model(), target, {})
    assert current_version(target) == path.name
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in model_dir.iterdir())


def test_saving_the_same_model_twice_in_one_second(tmp_path, monkeypatch) -> None:
    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)

    monkeypatch.setattr(bundle, "datetime", FrozenClock)
    model = tiny_model()
    first = save_model(model, tmp_path, {})
    second = save_model(model, tmp_path, {})
    assert first != second
    assert current_version(tmp_path) == second.name
