"""Classifier fixtures, shared read-only by the tests of every layer that need a trained model.

A small model is trained ONCE per session, on a subset of training_data/ plus tiny invented
public corpora written in the real file formats; tests that change a bundle work on a copy. The
names start with "clf_" or "trained_" so that they cannot clash with the service fixtures.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

CLF_REPO_ROOT = Path(__file__).resolve().parents[2]
CLF_TRAINING_DATA = CLF_REPO_ROOT / "training_data"
# Four German and two English articles: every category, obfuscated insults, replies (about 700
# comments; the whole folder would triple the training time of the session model).
CLF_TEAM_ARTICLES = (
    "de-eauto-ladenetz",
    "de-kernfusion-rekord",
    "de-smartphone-reparatur",
    "de-ukraine-ceasefire-troops",
    "en-password-manager-breach",
    "en-smartphone-launch",
)
# An even smaller subset for tests that train through the CLI (with its default 5-fold CV): the
# first comments of one German and one English article.
CLF_CLI_TEAM_ARTICLES = ("de-eauto-ladenetz", "en-smartphone-launch")
CLF_CLI_TEAM_COMMENTS = 60

# Invented texts for the fixture corpora (none is taken from a real corpus). Line i combines opener
# i % 6, word i % 10 and closer i % 5, so the 30 lines of one kind are all different.
_CLF_INSULTS = ("Vollidiot", "Idiot", "Depp", "Trottel", "Schwachkopf", "Penner", "Dummschwätzer",
                "Volltrottel", "Hohlkopf", "Vollpfosten")
_CLF_TOPICS = ("regnet es in Kiel", "fährt die Bahn wieder pünktlich", "gibt es frischen Kuchen",
               "spielt der HSV zu Hause", "ist der Wochenmarkt geöffnet", "beginnt das Stadtfest",
               "läuft ein guter Film im Kino", "öffnet die neue Bibliothek",
               "kommt der Bus zehn Minuten später", "testen wir das neue Lastenrad")
_CLF_TEMPLATES = {
    # (corpus, split, offensive?) -> (openers, closers); 6 openers x 5 closers x 10 words
    ("germeval2018", "train", True): (
        ("@nutzer_a Du bist ein", "Was für ein", "Der Minister ist ein", "Halt die Klappe, du",
         "Jeder weiß es: du bist ein", "Unser Bürgermeister ist ein"),
        ("!", ", echt jetzt.", " und bleibst es.", " |LBR| Unfassbar.", " 🤬")),
    ("germeval2018", "train", False): (
        ("Heute", "Am Wochenende", "@nutzer_c Morgen", "Gestern Abend", "Seit Montag",
         "Nächste Woche"),
        (".", ", schön!", " – wer kommt mit?", " |LBR| Freue mich.", " 😊")),
    ("germeval2018", "test", True): (
        ("Schon wieder so ein", "Dieser Moderator ist ein", "@nutzer_z Geh weg, du",
         "Typisch für so einen", "Sag mal, bist du ein", "Der Typ da ist ein"),
        ("!!", ", mehr nicht.", " hoch drei.", " – sorry, ist so.", " 🙄")),
    ("germeval2018", "test", False): (
        ("Am Dienstag", "Heute früh", "Übermorgen", "Diesen Sommer", "Jeden Freitag", "Bald"),
        (" :)", ", klasse.", " – endlich!", ". Mal sehen.", " 👍")),
    ("germeval2021", "train", True): (
        ("Der Autor ist ein", "Wer so etwas schreibt, ist ein", "Der Kommentator über mir ist ein",
         "Nur ein", "Die Chefredakteurin ist ein", "Jeder, der das glaubt, ist ein"),
        (".", ", peinlich.", " – mehr gibt es nicht zu sagen.", "!!!", " 😡")),
    ("germeval2021", "train", False): (
        ("Danke für den Bericht, bei uns", "Interessant, in meiner Stadt", "Laut Rathaus",
         "Meine Nachbarin sagt, hier", "Kleine Ergänzung: dort", "Wie ich höre,"),
        (".", ", gut zu wissen.", " – das war überfällig.", ", Quelle folgt.", " 🙂")),
    ("germeval2021", "test", True): (
        ("Die Reporterin ist ein", "Jeder Leser hier ist ein", "So schreibt nur ein",
         "Der Verfasser bleibt ein", "Was ist das für ein", "Du bist und bleibst ein"),
        (".", "!", ", ganz ehrlich.", " – traurig.", " 🤮")),
    ("germeval2021", "test", False): (
        ("Bei mir um die Ecke", "In unserem Dorf", "Nach meiner Erfahrung", "Offiziell",
         "Zum Glück", "Soweit ich weiß"),
        (".", ", prima.", " – gute Nachricht.", ", oder?", " 😀")),
}


def _clf_lines(corpus: str, split: str, offensive: bool, count: int = 30) -> list[str]:
    """``count`` distinct invented texts of one kind."""
    openers, closers = _CLF_TEMPLATES[(corpus, split, offensive)]
    words = _CLF_INSULTS if offensive else _CLF_TOPICS
    return [f"{openers[i % 6]} {words[i % 10]}{closers[i % 5]}" for i in range(count)]


def _clf_germeval2018_file(rows: list[tuple[str, bool]]) -> str:
    return "".join(f"{text}\t{'OFFENSE' if bad else 'OTHER'}\t{'INSULT' if bad else 'OTHER'}\n"
                   for text, bad in rows)


def _clf_germeval2021_file(rows: list[tuple[str, bool]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["comment_id", "comment_text", "Sub1_Toxic", "Sub2_Engaging", "Sub3_FactClaiming"])
    writer.writerows([number, text, int(bad), 0, 0] for number, (text, bad) in enumerate(rows, start=1))
    return buffer.getvalue()


def _clf_copy_team_subset(target: Path, articles: tuple[str, ...], max_comments: int | None = None) -> Path:
    """Copy ``articles`` and their comments (the first ``max_comments`` of each, keeping only
    replies whose parent is kept) into ``target``."""
    (target / "articles").mkdir(parents=True, exist_ok=True)
    (target / "comments").mkdir(parents=True, exist_ok=True)
    for article in articles:
        shutil.copy(CLF_TRAINING_DATA / "articles" / f"{article}.json", target / "articles")
        lines = (CLF_TRAINING_DATA / "comments" / f"{article}.jsonl").read_text(encoding="utf-8").splitlines()
        kept: list[str] = []
        ids: set[str] = set()
        for line in filter(str.strip, lines[:max_comments]):
            comment = json.loads(line)
            if comment.get("parent_id") in (None, *ids):
                kept.append(line)
                ids.add(comment["id"])
        (target / "comments" / f"{article}.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


@dataclass(frozen=True)
class ClfCorpora:
    """The invented public corpora under ``data_dir`` and the texts planted to test leak checks."""

    data_dir: Path
    # (text in a training file, the test or held-out text it duplicates after normalisation)
    planted: tuple[tuple[str, str], ...]
    test_counts: dict[str, int]


@dataclass(frozen=True)
class TrainedBundle:
    """The session's trained model bundle and what went into it."""

    team_dir: Path
    corpora: ClfCorpora
    model_dir: Path
    path: Path  # the bundle's version directory
    metadata: dict
    training_texts: tuple[str, ...]  # what the respect model was fitted on
    training_sources: tuple[str, ...]
    progress: tuple[str, ...]


@pytest.fixture(scope="session")
def clf_team_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of six articles of training_data/ with their comments (read-only for tests)."""
    return _clf_copy_team_subset(tmp_path_factory.mktemp("team"), CLF_TEAM_ARTICLES)


@pytest.fixture(scope="session")
def clf_cli_team_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of two articles of training_data/, 60 comments each, for training through the CLI."""
    return _clf_copy_team_subset(tmp_path_factory.mktemp("cli-team"), CLF_CLI_TEAM_ARTICLES,
                                 CLF_CLI_TEAM_COMMENTS)


@pytest.fixture(scope="session")
def clf_corpora(tmp_path_factory: pytest.TempPathFactory, clf_team_dir: Path) -> ClfCorpora:
    """GermEval 2018 and 2021 folders with about 60 invented lines per file, in the real formats.

    Five training texts duplicate evaluation texts after normalisation (the same text, one with
    another @mention, one with a URL appended, one across corpora, one from the team's held-out
    split): training must drop all five.
    """
    from classifier.data.teamdata import load_team_data

    data_dir = tmp_path_factory.mktemp("corpora")
    splits = {
        (corpus, split): [(text, bad) for bad in (True, False) for text in _clf_lines(corpus, split, bad)]
        for corpus in ("germeval2018", "germeval2021") for split in ("train", "test")
    }
    ge18_test = [text for text, _ in splits[("germeval2018", "test")]]
    heldout = next(c.text for c in load_team_data(clf_team_dir).split("heldout")
                   if "\n" not in c.text and "\t" not in c.text and not c.respectful)
    planted = (
        (ge18_test[0], ge18_test[0]),
        ("@jemand_anderes " + ge18_test[31], ge18_test[31]),
        (ge18_test[2] + " https://t.co/AbC123", ge18_test[2]),
        (heldout, heldout),
    )
    splits[("germeval2018", "train")] += [(text, source not in ge18_test[30:]) for text, source in planted]
    cross = ge18_test[33]  # a GermEval 2018 test tweet planted in GermEval 2021 training data
    splits[("germeval2021", "train")].append((cross, False))
    planted += ((cross, cross),)

    ge18, ge21 = data_dir / "germeval2018", data_dir / "germeval2021"
    ge18.mkdir()
    ge21.mkdir()
    (ge18 / "germeval2018.training.txt").write_bytes(
        _clf_germeval2018_file(splits[("germeval2018", "train")]).encode())
    (ge18 / "germeval2018.test.txt").write_bytes(
        _clf_germeval2018_file(splits[("germeval2018", "test")]).encode())
    (ge21 / "GermEval21_TrainData.csv").write_bytes(
        _clf_germeval2021_file(splits[("germeval2021", "train")]).encode())
    (ge21 / "GermEval21_TestData.csv").write_bytes(
        _clf_germeval2021_file(splits[("germeval2021", "test")]).encode())
    return ClfCorpora(data_dir, planted, {"germeval2018": 60, "germeval2021": 60})


@pytest.fixture(scope="session")
def trained_bundle(tmp_path_factory: pytest.TempPathFactory, clf_team_dir: Path,
                   clf_corpora: ClfCorpora) -> TrainedBundle:
    """Train once per session (2-fold CV, no sentence encoder) and record the training texts."""
    import classifier.training.train as training

    seen: dict[str, list[str]] = {}
    original = training._train_respect

    def spy(examples, *args, **kwargs):
        seen["texts"], seen["sources"] = list(examples.texts), list(examples.sources)
        return original(examples, *args, **kwargs)

    progress: list[str] = []
    model_dir = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "_train_respect", spy)
        path = training.train_models(clf_team_dir, model_dir, clf_corpora.data_dir,
                                     options=training.TrainingOptions(cv=2, encoder=False),
                                     progress=progress.append)
    metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    return TrainedBundle(clf_team_dir, clf_corpora, model_dir, path, metadata,
                         tuple(seen["texts"]), tuple(seen["sources"]), tuple(progress))


@pytest.fixture(scope="session")
def encoder_model_dir(tmp_path_factory: pytest.TempPathFactory, clf_cli_team_dir: Path) -> Path:
    """A model *with* the sentence encoder (both cascades), on the two-article CLI subset of the
    team data, no public corpora: a few seconds. Read-only for tests."""
    import classifier.training.train as training

    model_dir = tmp_path_factory.mktemp("encoder-model")
    training.train_models(clf_cli_team_dir, model_dir, None, options=training.TrainingOptions(cv=2))
    return model_dir


@pytest.fixture(scope="session")
def trained_model(trained_bundle: TrainedBundle):
    """The session bundle, loaded. Shared: never save it again or change its attributes."""
    from classifier.serving.bundle import load_model

    return load_model(trained_bundle.model_dir)
