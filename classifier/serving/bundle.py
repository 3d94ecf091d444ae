"""Versioned model bundles on disk: save, find the current one, load it safely.

Layout of a model directory::

    models/
      CURRENT                      # the version in use, one line
      20261125T180102123456Z-1a2b3c4d/
        model.joblib               # the ModerationModel
        metadata.json              # version, sources with sha256, library versions, encoder, CV metrics

A new bundle is written under a temporary name and renamed into place, then ``CURRENT`` is
replaced atomically, so a running service never sees half a model. Loading refuses a bundle
whose file hash or scikit-learn version does not match its metadata (unpickling across
scikit-learn versions is unsupported and can give wrong answers silently), and one whose
sentence encoder is not the installed one (its classifiers would get other embeddings than they
learnt from, and score wrongly without any error).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import warnings
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.exceptions import InconsistentVersionWarning

from classifier.estimators.encoder import ENCODER_PACKAGE, encoder_identity
from classifier.serving.model import FEATURES_VERSION, ModerationModel
from common.digest import sha256_of
from common.jsontext import JSONTextError, parse_json

CURRENT_FILE = "CURRENT"
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
KEEP_VERSIONS = 5
# This package's own version too: an installed package has no git commit to record.
_LIBRARIES = ("comment-moderation", "scikit-learn", "numpy", "scipy", "joblib", "simplemma",
              ENCODER_PACKAGE)
# The folder holding the ``classifier`` package: a checkout's top, or site-packages.
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


#: Where the classes pickled in bundles saved before the package was split into sub-packages
#: live now, so that those bundles keep loading (and scoring exactly as before).
_MOVED_MODULES = {
    "classifier.domain": "classifier.estimators.domain",
    "classifier.encoder": "classifier.estimators.encoder",
    "classifier.features": "classifier.text.ngrams",
    "classifier.normalize": "classifier.text.normalize",
    "classifier.topic": "classifier.ontopic.lexical",
    "classifier.topic_semantic": "classifier.ontopic.semantic",
    "classifier.model": "classifier.serving.model",
}


class ModelLoadError(Exception):
    """The model cannot be loaded; the message says why and what to do."""


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries a bundle depends on."""
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str | None:
    """The commit of the code that trained the model, when it runs from a git checkout.

    Only a work tree whose top holds this package counts: an installed package can sit in
    some other repository (a virtual environment in a project's folder), whose commit says
    nothing about this code.
    """
    try:
        result = subprocess.run(["git", "rev-parse", "--show-toplevel", "HEAD"], capture_output=True,
                                text=True, cwd=_SOURCE_ROOT, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != _SOURCE_ROOT:
        return None
    return lines[1]


def current_version(model_dir: Path) -> str | None:
    """The version named in ``CURRENT``, or None when there is no model yet (cheap to call).

    :raise ModelLoadError: ``CURRENT`` exists but cannot be read as a version name.
    """
    path = Path(model_dir) / CURRENT_FILE
    try:
        version = path.read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ModelLoadError(f"{path} cannot be read ({error}); it should hold the name of "
                             "a model version, as `moderation train` writes it.") from error
    if version is not None and (Path(version).name != version or version in {".", ".."}):
        raise ModelLoadError(f"{path} names {version!r}, which is not a version folder of "
                             f"{model_dir}; it should hold a name such as `moderation train` writes.")
    return version


def save_model(model: ModerationModel, model_dir: Path, metadata: dict[str, Any]) -> Path:
    """Write ``model`` as a new version and make it current; return its directory."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=model_dir))
    try:
        model_path = staging / MODEL_FILE
        model.version = "pending"
        joblib.dump(model, model_path, compress=3)
        digest = sha256_of(model_path)
        created = datetime.now(UTC)
        # Microseconds keep two saves of one model apart and make names sort by age.
        version = f"{created:%Y%m%dT%H%M%S%fZ}-{digest[:8]}"
        suffix = 2
        while (model_dir / version).exists():  # the same model saved twice in one instant
            version = f"{created:%Y%m%dT%H%M%S%fZ}-{digest[:8]}-{suffix}"
            suffix += 1
        full_metadata = {
            "version": version,
            "created": created.isoformat(timespec="seconds"),
            "model_file": MODEL_FILE,
            "model_sha256": digest,
            "model_bytes": model_path.stat().st_size,
            "libraries": library_versions(),
            "encoder": encoder_identity() if model.embedder() is not None else None,
            "features_version": FEATURES_VERSION,
            "feature_names": model.feature_names(),
            "git_commit": git_commit(),
            **metadata,
        }
        (staging / METADATA_FILE).write_text(json.dumps(full_metadata, indent=2, ensure_ascii=False),
                                             encoding="utf-8")
        target = model_dir / version
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    model.version = version
    _write_current(model_dir, version)
    _prune(model_dir, keep=KEEP_VERSIONS)
    return target


def _write_current(model_dir: Path, version: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=model_dir, prefix=".current-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(version + "\n")
    os.replace(temporary, model_dir / CURRENT_FILE)


def _prune(model_dir: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` versions (never the current one)."""
    current = current_version(model_dir)
    versions = sorted(p for p in model_dir.iterdir()
                      if p.is_dir() and (p / METADATA_FILE).exists() and p.name != current)
    for old in versions[: max(0, len(versions) - (keep - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def read_metadata(model_dir: Path, version: str | None = None) -> dict[str, Any]:
    """The metadata of ``version`` (default: the current one)."""
    model_dir = Path(model_dir)
    version = version or current_version(model_dir)
    if version is None:
        raise ModelLoadError(
            f"No model in {model_dir}: train one with `moderation train --model-dir {model_dir}`."
        )
    if not (model_dir / version).is_dir():
        raise ModelLoadError(f"{model_dir / CURRENT_FILE} names version {version}, but there is "
                             f"no folder {model_dir / version}; retrain, or write an existing "
                             "version's name into it.")
    path = model_dir / version / METADATA_FILE
    try:
        metadata = parse_json(path.read_bytes())
    except FileNotFoundError as error:
        raise ModelLoadError(f"Model {version} in {model_dir} has no {METADATA_FILE}; "
                             "the bundle is incomplete, retrain it.") from error
    except OSError as error:
        raise ModelLoadError(f"{path} cannot be read ({error}).") from error
    except JSONTextError as error:
        raise ModelLoadError(f"{path} {error}; retrain the model.") from error
    if (not isinstance(metadata, dict) or metadata.get("version") != version
            or not isinstance(metadata.get("libraries", {}), dict)
            or not isinstance(metadata.get("encoder", {}), dict | None)
            or Path(str(metadata.get("model_file", MODEL_FILE))).name != metadata.get("model_file", MODEL_FILE)):
        raise ModelLoadError(f"{path} is not the metadata `moderation train` writes for version "
                             f"{version} (an object with its 'version', 'libraries' and a "
                             "'model_file' in the same folder); retrain the model.")
    return metadata


def _alias_moved_modules() -> None:
    """Let the unpickler find classes under the module names an older bundle recorded.

    pickle imports a class's module by name through ``sys.modules``; the old names are free
    (``classifier.topic`` is no package), so registering them there shadows nothing.
    """
    for old, new in _MOVED_MODULES.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)


def load_model(model_dir: Path, version: str | None = None) -> ModerationModel:
    """Load ``version`` (default: the current one) after checking its hash and library version."""
    model_dir = Path(model_dir)
    metadata = read_metadata(model_dir, version)
    version = metadata["version"]
    trained_with = metadata.get("libraries", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ModelLoadError(
            f"Model {version} was trained with scikit-learn {trained_with}, but {sklearn.__version__} "
            "is installed. Models cannot be moved across scikit-learn versions: retrain with "
            "`moderation train` or install the matching version."
        )
    path = model_dir / version / metadata.get("model_file", MODEL_FILE)
    if not path.exists():
        raise ModelLoadError(f"Model file {path} is missing; retrain the model.")
    digest = sha256_of(path)
    expected = metadata.get("model_sha256")
    if digest != expected:
        raise ModelLoadError(
            f"Model file {path} does not match its metadata (sha256 {digest[:12]}..., "
            + (f"expected {str(expected)[:12]}...)" if expected else "which records none)")
            + ". It was changed or damaged; retrain it."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            _alias_moved_modules()
            model = joblib.load(path)
        except InconsistentVersionWarning as error:
            raise ModelLoadError(f"Model {version} was pickled by another scikit-learn version "
                                 f"({error}); retrain it.") from error
        except Exception as error:  # a damaged pickle fails in many ways, none of them useful
            raise ModelLoadError(f"Model file {path} cannot be loaded ({type(error).__name__}: "
                                 f"{error}); retrain it.") from error
    if not isinstance(model, ModerationModel):
        raise ModelLoadError(f"{path} does not hold a moderation model.")
    if model.embedder() is not None:
        _check_encoder(metadata)
    _check_features(metadata, model)
    model.version = version
    return model


def _check_features(metadata: dict[str, Any], model: ModerationModel) -> None:
    """Refuse a bundle whose features another release computed differently.

    Bundles record their features' version and columns; those of releases before that record
    existed are all of an earlier feature set (and their pickles may lack attributes this code
    reads, hence no call into them).
    """
    recorded = metadata.get("feature_names")
    if (recorded is not None and metadata.get("features_version") == FEATURES_VERSION
            and recorded == model.feature_names()):
        return
    fitted = model.topic.named_steps["scale"].n_features_in_
    raise ModelLoadError(
        f"Model {metadata['version']} was trained on the features of another release (version "
        f"{metadata.get('features_version', 1)}, {fitted} on-topic columns; this release computes "
        f"version {FEATURES_VERSION}) and cannot be scored by it: retrain with `moderation train` "
        "(or `moderation retrain`, which keeps the moderators' decisions)."
    )


def _check_encoder(metadata: dict[str, Any]) -> None:
    """Refuse a bundle whose sentence encoder is not the installed one.

    Bundles saved before the encoder's identity was recorded name only the library's version
    (among ``libraries``): they load when that version is installed, which is all they can tell.
    """
    installed = encoder_identity()
    recorded = metadata.get("encoder")
    if recorded is None:
        recorded = {"package": ENCODER_PACKAGE, "version": metadata.get("libraries", {}).get(ENCODER_PACKAGE)}
        if installed is not None and recorded["version"] == installed["version"]:
            return
    elif recorded == installed:
        return
    trained, found = _describe(recorded), _describe(installed) if installed else "none"
    if trained == found:
        found += " with other model files"
    raise ModelLoadError(
        f"Model {metadata['version']} was trained with the sentence encoder {trained}, but {found} "
        "is installed. Its classifiers only fit the embeddings of the encoder they learnt from and "
        f"would score wrongly: install {recorded.get('package')}=={recorded.get('version')}, or "
        "retrain with `moderation train`."
    )


def _describe(identity: dict[str, Any]) -> str:
    model = f" (model {identity['model']})" if identity.get("model") else ""
    return f"{identity.get('package')} {identity.get('version')}{model}"
