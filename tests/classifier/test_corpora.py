"""Public corpus loaders: tiny invented fixtures in each format, then the real counts."""

from __future__ import annotations

import csv
import io
import lzma
from collections import Counter
from pathlib import Path

import pytest

from classifier.data.corpora import (
    CORPUS_NAMES,
    CorpusError,
    LabelledText,
    UnknownCorpusError,
    available_corpora,
    corpus_files,
    load_corpus,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_CANDIDATES = (Path("/work/shared/datasets"), REPO_ROOT.parent / "shared" / "datasets")


def shared_datasets() -> Path | None:
    """The read-only folder with the real corpora, if this machine has it."""
    return next((path for path in SHARED_CANDIDATES if path.is_dir()), None)


# ------------------------------------------------------------------------------------------------
# Fixtures: every text below is invented for these tests.
# ------------------------------------------------------------------------------------------------

GERMEVAL2018_TRAIN = (
    "@nutzer_a Schönes Wetter heute in Kiel.\tOTHER\tOTHER\n"
    "@nutzer_b Du bist ein Trottel. |LBR| Echt jetzt.\tOFFENSE\tINSULT\n"
    "Brot &amp; Spiele &gt; alles\tOTHER\tOTHER\n"
)
GERMEVAL2018_TEST = "Was für ein Mist\tOFFENSE\tPROFANITY\n"

GERMEVAL2019_TRAIN = (
    "Super Sache <U+0001F44D> |LBR| |LBR| Weiter so\tOTHER\tOTHER\n"
    "Herz <U+2764><U+FE0F> und kaputt <U+D83D>\tOTHER\tOTHER\n"
    "@user Ihr Deppen seid das Letzte\tOFFENSE\tABUSE\n"
)
# As distributed: no final newline; the gold file's text column has the artefacts the README
# describes (escaped quotes, a lost leading "M"), so the text must come from the test-data file.
GERMEVAL2019_TESTDATA = 'Er sagte "Hallo" <U+0001F600>\nMeine Güte, was für Idioten'
GERMEVAL2019_GOLD = (
    'Er sagte \\""Hallo\\"" <U+0001F600>\tOTHER\tOTHER\neine Güte, was für Idioten\tOFFENSE\tINSULT'
)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 bytes exactly (no newline translation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def csv_text(rows: list[list[str]], lineterminator: str = "\n") -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue()


def write_million_posts(folder: Path) -> None:
    """A long-format file: one row per (post, category), folds per row."""
    header = [
        "ID_Post", "ID_Parent_Post", "ID_Article", "ID_User", "CreatedAt", "Status", "Headline",
        "Body", "PositiveVotes", "NegativeVotes", "Category", "Value", "Fold",
    ]  # fmt: skip
    posts = {
        "1": ("Titel", "Erste Zeile\r\nzweite Zeile "),
        "2": ("", " Nur Text"),
        "3": ("Frage", "Wann kommt der Bus?"),
        "4": ("", "Ihr seid alle Schwachköpfe"),
        "5": ("", "Nur für PersonalStories annotiert"),
    }
    judgements = [  # post, category, value, fold
        ("1", "Inappropriate", "0", "3"), ("1", "Discriminating", "0", "3"),
        ("1", "OffTopic", "1", "10"), ("1", "SentimentNegative", "0", "3"),
        ("2", "Inappropriate", "0", "10"), ("2", "Discriminating", "1", "4"),
        ("2", "OffTopic", "0", "4"),
        ("3", "Inappropriate", "0", "7"), ("3", "Discriminating", "0", "7"),
        ("3", "OffTopic", "0", "7"),
        ("4", "Inappropriate", "1", "1"), ("4", "Discriminating", "0", "1"),
        ("4", "OffTopic", "0", "1"),
        ("5", "PersonalStories", "1", "10"),
    ]  # fmt: skip
    rows = [header]
    for post, category, value, fold in judgements:
        headline, body = posts[post]
        rows.append([post, "", "9", "77", "2015-06-01 08:00:00.000", "online", headline, body,
                     "0", "0", category, value, fold])  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "posts_labeled.csv.xz").write_bytes(
        lzma.compress(csv_text(rows, lineterminator="\r\n").encode("utf-8"))
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory with a tiny copy of every corpus in its original format."""
    write_text(tmp_path / "germeval2018/germeval2018.training.txt", GERMEVAL2018_TRAIN)
    write_text(tmp_path / "germeval2018/germeval2018.test.txt", GERMEVAL2018_TEST)

    g19 = tmp_path / "germeval2019"
    write_text(g19 / "germeval2019.training_subtask1_2_korrigiert.txt", GERMEVAL2019_TRAIN)
    write_text(g19 / "germeval2019_Testdata_Subtask12.txt", GERMEVAL2019_TESTDATA)
    write_text(g19 / "germeval2019GoldLabelsSubtask1_2.txt", GERMEVAL2019_GOLD)

    header21 = ["comment_id", "comment_text", "Sub1_Toxic", "Sub2_Engaging", "Sub3_FactClaiming"]
    train21 = [
        header21,
        ["1", "Erster Absatz.\r\nZweiter Absatz, mit Komma.", "0", "1", "0"],
        ["2", '@USER Du "Experte" hast keine Ahnung', "1", "0", "0"],
    ]
    test21 = [header21, ["1", "Danke für die Sendung", "0", "0", "0"]]
    write_text(tmp_path / "germeval2021/GermEval21_TrainData.csv", csv_text(train21, "\r\n"))
    write_text(tmp_path / "germeval2021/GermEval21_TestData.csv", csv_text(test21, "\r\n"))

    hasoc = tmp_path / "hasoc-de"
    write_text(
        hasoc / "2019/german_dataset.tsv",
        "text_id\ttext\ttask_1\ttask_2\n"
        'hasoc_de_1\tEin "Zitat" ohne Quoting https://t.co/abc\tNOT\tNONE\n'
        "hasoc_de_2\tVerpisst euch alle &amp; zwar sofort\tHOF\tPRFN\n",
    )
    write_text(
        hasoc / "2019/hasoc_de_test_gold.tsv",
        "text_id\ttext\ttask_1\ttask_2\nhasoc_de_9\tSchöner Tag\tNOT\tNONE\n",
    )
    header20 = ["tweet_id", "text", "task1", "task2", "ID"]
    write_text(
        hasoc / "2020/hasoc_2020_de_train_new.csv",
        csv_text([header20, ["1.12681613997824E18", "Zeile eins\nZeile zwei", "NOT", "NONE",
                             "hasoc_2020_de_1"]]),  # fmt: skip
    )
    write_text(
        hasoc / "2020/german_test_1509.csv",
        # task1 and task2 disagree here, as on 40 rows of the real file: task1 wins.
        csv_text([header20, ["1188", "Was für ein Haufen", "HOF", "NONE", "hasoc_2020_de_5"]]),
    )

    write_million_posts(tmp_path / "one-million-posts")
    return tmp_path


def texts_and_labels(items: list[LabelledText]) -> list[tuple[str, int]]:
    return [(item.text, item.label) for item in items]


# ------------------------------------------------------------------------------------------------
# Loaders on the fixtures
# ------------------------------------------------------------------------------------------------


def test_germeval2018(data_dir: Path) -> None:
    train = load_corpus("germeval2018", data_dir, "train")
    assert texts_and_labels(train) == [
        ("@nutzer_a Schönes Wetter heute in Kiel.", 0),
        ("@nutzer_b Du bist ein Trottel.\nEcht jetzt.", 1),
        ("Brot & Spiele > alles", 0),
    ]
    assert {(item.source, item.split) for item in train} == {("germeval2018", "train")}
    test = load_corpus("germeval2018", data_dir, "test")
    assert texts_and_labels(test) == [("Was für ein Mist", 1)]
    assert test[0].split == "test"


def test_germeval2019_train_undoes_escapes(data_dir: Path) -> None:
    train = load_corpus("germeval2019", data_dir, "train")
    assert texts_and_labels(train) == [
        ("Super Sache \U0001f44d\n\nWeiter so", 0),
        # A lone surrogate cannot be a character: its escape is kept.
        ("Herz \u2764\ufe0f und kaputt <U+D83D>", 0),
        ("@user Ihr Deppen seid das Letzte", 1),
    ]


def test_germeval2019_test_takes_texts_from_testdata_and_labels_from_gold(data_dir: Path) -> None:
    test = load_corpus("germeval2019", data_dir, "test")
    assert texts_and_labels(test) == [
        ('Er sagte "Hallo" \U0001f600', 0),
        ("Meine Güte, was für Idioten", 1),
    ]
    assert {item.source for item in test} == {"germeval2019"}


def test_germeval2019_test_files_must_align(data_dir: Path) -> None:
    write_text(
        data_dir / "germeval2019/germeval2019_Testdata_Subtask12.txt",
        GERMEVAL2019_TESTDATA + "\nEine dritte Zeile",
    )
    with pytest.raises(CorpusError, match="3 lines but .* has 2"):
        load_corpus("germeval2019", data_dir, "test")


def test_germeval2021_csv_with_embedded_newlines(data_dir: Path) -> None:
    train = load_corpus("germeval2021", data_dir, "train")
    assert texts_and_labels(train) == [
        ("Erster Absatz.\nZweiter Absatz, mit Komma.", 0),
        ('@USER Du "Experte" hast keine Ahnung', 1),
    ]
    assert texts_and_labels(load_corpus("germeval2021", data_dir, "test")) == [
        ("Danke für die Sendung", 0)
    ]


def test_hasoc_reads_2019_and_2020_together(data_dir: Path) -> None:
    train = load_corpus("hasoc-de", data_dir, "train")
    assert texts_and_labels(train) == [
        ('Ein "Zitat" ohne Quoting https://t.co/abc', 0),
        ("Verpisst euch alle & zwar sofort", 1),
        ("Zeile eins\nZeile zwei", 0),
    ]
    test = load_corpus("hasoc-de", data_dir, "test")
    assert texts_and_labels(test) == [("Schöner Tag", 0), ("Was für ein Haufen", 1)]
    assert {(item.source, item.split) for item in train + test} == {
        ("hasoc-de", "train"),
        ("hasoc-de", "test"),
    }


def test_million_posts_respect_uses_either_fold_for_test(data_dir: Path) -> None:
    train = load_corpus("one-million-posts", data_dir, "train", task="respect")
    test = load_corpus("one-million-posts", data_dir, "test", task="respect")
    # Post 2's Inappropriate row is in fold 10, its Discriminating row (label 1) in fold 4:
    # it is test data, and never training data.
    assert texts_and_labels(test) == [("Nur Text", 1)]
    assert texts_and_labels(train) == [
        ("Titel Erste Zeile\nzweite Zeile", 0),
        ("Frage Wann kommt der Bus?", 0),
        ("Ihr seid alle Schwachköpfe", 1),
    ]
    assert {item.source for item in train + test} == {"one-million-posts"}


def test_million_posts_on_topic_uses_offtopic_row(data_dir: Path) -> None:
    train = load_corpus("one-million-posts", data_dir, "train", task="on_topic")
    test = load_corpus("one-million-posts", data_dir, "test", task="on_topic")
    assert texts_and_labels(test) == [("Titel Erste Zeile\nzweite Zeile", 1)]
    assert texts_and_labels(train) == [
        ("Nur Text", 0),
        ("Frage Wann kommt der Bus?", 0),
        ("Ihr seid alle Schwachköpfe", 0),
    ]


# ------------------------------------------------------------------------------------------------
# Errors and helpers
# ------------------------------------------------------------------------------------------------


def test_unknown_corpus_lists_valid_names(data_dir: Path) -> None:
    with pytest.raises(UnknownCorpusError) as info:
        load_corpus("germeval2017", data_dir)
    assert isinstance(info.value, CorpusError)
    for name in CORPUS_NAMES:
        assert name in str(info.value)
    with pytest.raises(UnknownCorpusError):
        corpus_files("training_data", data_dir, "train")


def test_unknown_split_and_task(data_dir: Path) -> None:
    with pytest.raises(CorpusError, match="unknown split 'dev'"):
        load_corpus("germeval2018", data_dir, "dev")
    with pytest.raises(CorpusError, match="unknown task 'spam'"):
        load_corpus("germeval2018", data_dir, task="spam")


def test_on_topic_only_for_million_posts(data_dir: Path) -> None:
    for name in CORPUS_NAMES[:-1]:
        with pytest.raises(CorpusError, match="only available for 'one-million-posts'"):
            load_corpus(name, data_dir, task="on_topic")


def test_missing_folder_names_path_and_source(tmp_path: Path) -> None:
    with pytest.raises(CorpusError) as info:
        load_corpus("germeval2018", tmp_path)
    message = str(info.value)
    assert str(tmp_path / "germeval2018") in message
    assert "uds-lsv/GermEval-2018-Data" in message
    assert "training_data/README.md" in message


def test_missing_file_names_the_file(data_dir: Path) -> None:
    missing = data_dir / "hasoc-de/2020/german_test_1509.csv"
    missing.unlink()
    with pytest.raises(CorpusError, match="hasocfire.github.io") as info:
        load_corpus("hasoc-de", data_dir, "test")
    assert str(missing) in str(info.value)


def test_invalid_utf8_names_file_and_line(data_dir: Path) -> None:
    path = data_dir / "germeval2018/germeval2018.training.txt"
    path.write_bytes(b"Gut so\tOTHER\tOTHER\nKaputt \xfc\tOTHER\tOTHER\n")
    with pytest.raises(CorpusError, match="not valid UTF-8") as info:
        load_corpus("germeval2018", data_dir)
    assert f"{path}:2:" in str(info.value)


def test_invalid_utf8_in_csv_and_xz(data_dir: Path) -> None:
    path = data_dir / "germeval2021/GermEval21_TestData.csv"
    path.write_bytes(b'comment_id,comment_text,Sub1_Toxic\r\n1,"a\r\nb \xe4",0\r\n')
    with pytest.raises(CorpusError, match=f"{path}:3: not valid UTF-8"):
        load_corpus("germeval2021", data_dir, "test")
    xz = data_dir / "one-million-posts/posts_labeled.csv.xz"
    xz.write_bytes(lzma.compress(b"ID_Post\n\xff\n"))
    with pytest.raises(CorpusError, match=f"{xz}:2: not valid UTF-8"):
        load_corpus("one-million-posts", data_dir)


def test_bad_labels_and_columns_name_the_line(data_dir: Path) -> None:
    g18 = data_dir / "germeval2018/germeval2018.test.txt"
    write_text(g18, "Text\tOTHER\tOTHER\nText ohne Label\n")
    with pytest.raises(CorpusError, match=f"{g18}:2: expected 3 tab-separated columns"):
        load_corpus("germeval2018", data_dir, "test")
    write_text(g18, "Text\tOFFENSIVE\tINSULT\n")
    with pytest.raises(CorpusError, match=f"{g18}:1: coarse label 'OFFENSIVE'"):
        load_corpus("germeval2018", data_dir, "test")
    g21 = data_dir / "germeval2021/GermEval21_TestData.csv"
    write_text(g21, "comment_id,comment_text,Sub1_Toxic\r\n1,\"zwei\r\nZeilen\",0\r\n2,x,ja\r\n")
    with pytest.raises(CorpusError, match=f"{g21}:4: Sub1_Toxic is 'ja'"):
        load_corpus("germeval2021", data_dir, "test")
    write_text(g21, "comment_id,text\r\n1,x\r\n")
    with pytest.raises(CorpusError, match="missing column.*comment_text"):
        load_corpus("germeval2021", data_dir, "test")


def test_available_corpora_and_files(tmp_path: Path, data_dir: Path) -> None:
    assert available_corpora(data_dir) == list(CORPUS_NAMES)
    (tmp_path / "elsewhere" / "hasoc-de").mkdir(parents=True)
    assert available_corpora(tmp_path / "elsewhere") == ["hasoc-de"]
    assert available_corpora(tmp_path / "nothing-here") == []
    assert corpus_files("hasoc-de", data_dir, "test") == [
        data_dir / "hasoc-de/2019/hasoc_de_test_gold.tsv",
        data_dir / "hasoc-de/2020/german_test_1509.csv",
    ]
    for name in CORPUS_NAMES:
        for split in ("train", "test"):
            assert all(path.is_file() for path in corpus_files(name, data_dir, split))


# ------------------------------------------------------------------------------------------------
# The real corpora, when this machine has them: counts from each folder's README.
# ------------------------------------------------------------------------------------------------

# (corpus, split, task) -> (items, items with label 1)
README_COUNTS = {
    ("germeval2018", "train", "respect"): (5009, 1688),
    ("germeval2018", "test", "respect"): (3532, 1202),
    ("germeval2019", "train", "respect"): (3995, 1287),
    ("germeval2019", "test", "respect"): (3031, 970),
    ("germeval2021", "train", "respect"): (3244, 1122),
    ("germeval2021", "test", "respect"): (944, 350),
    ("hasoc-de", "train", "respect"): (3819 + 2373, 407 + 673),
    ("hasoc-de", "test", "respect"): (850 + 526, 136 + 134),
    # 3,599 posts annotated for Inappropriate/Discriminating/OffTopic; fold 10 is the test split.
    # Respect: 552 posts are Inappropriate or Discriminating (303 and 282 overlap); 366 posts have
    # either row in fold 10 (421 posts have the two rows in different folds).
    ("one-million-posts", "train", "respect"): (3599 - 366, 552 - 57),
    ("one-million-posts", "test", "respect"): (366, 57),
    ("one-million-posts", "train", "on_topic"): (3599 - 359, 580 - 58),
    ("one-million-posts", "test", "on_topic"): (359, 58),
}


@pytest.mark.parametrize(("name", "split", "task"), sorted(README_COUNTS))
def test_real_corpus_counts(name: str, split: str, task: str) -> None:
    root = shared_datasets()
    if root is None or not (root / name).is_dir():
        pytest.skip(f"public corpus {name} not available on this machine")
    items = load_corpus(name, root, split, task)
    counts = Counter(item.label for item in items)
    assert (len(items), counts[1]) == README_COUNTS[(name, split, task)]
    assert all(item.text.strip() for item in items)
    assert not any("|LBR|" in item.text or "<U+" in item.text for item in items)
    assert {(item.source, item.split) for item in items} == {(name, split)}


def test_real_germeval2019_gold_aligns_with_testdata() -> None:
    """The README: 398 of 3,031 gold texts differ from the released texts, all by artefacts."""
    root = shared_datasets()
    if root is None or not (root / "germeval2019").is_dir():
        pytest.skip("public corpus germeval2019 not available on this machine")
    folder = root / "germeval2019"
    released = (folder / "germeval2019_Testdata_Subtask12.txt").read_text("utf-8").split("\n")
    gold_lines = (folder / "germeval2019GoldLabelsSubtask1_2.txt").read_text("utf-8").split("\n")
    gold = [line.split("\t")[0] for line in gold_lines]
    assert len(released) == len(gold) == 3031
    differing = [(r, g) for r, g in zip(released, gold, strict=True) if r != g]
    assert len(differing) == 398
    # Every difference is one of the documented artefacts: escaped quotes, a lost leading "M",
    # or a closing quote that swallowed a space.
    for text, gold_text in differing:
        assert '\\""' in gold_text or (text.startswith("M") and text[1:] == gold_text)
