"""Loaders for the public labelled corpora the classifier is trained and evaluated on.

Each corpus lives, unchanged, in its own folder under a data directory (``--data-dir`` /
``MODERATION_DATA_DIR``); see ``training_data/README.md``, section "Public corpora". Every loader
returns :class:`LabelledText` items with ``label`` 1 when the rule is broken.

Text clean-up is limited to undoing the distributors' encodings, so the model sees what a reader
typed:

- GermEval 2018 and 2019 write line breaks as ``|LBR|`` (GermEval 2018's README does not say so,
  but 938 training and 560 test lines use it); GermEval 2019 also writes emoji as code-point
  escapes (``<U+0001F44D>``). Both are undone.
- The tweet corpora (GermEval 2018/2019, HASOC) carry Twitter's HTML escaping of ``&``, ``<`` and
  ``>``; it is undone.
- One Million Posts stores CRLF line breaks inside posts; they become ``\\n``.
"""

from __future__ import annotations

import csv
import io
import lzma
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LabelledText:
    """One labelled text from a public corpus."""

    text: str
    # 1 = the rule is broken (offensive/toxic/HOF, or off-topic for task "on_topic"), 0 = fine
    label: int
    source: str  # corpus name, e.g. "germeval2018"
    split: str  # "train" or "test"


class CorpusError(Exception):
    """A corpus cannot be read: missing file, bad format, unsupported task. Message is for users."""


class UnknownCorpusError(CorpusError):
    """The corpus name is not one of :data:`CORPUS_NAMES`."""


CORPUS_NAMES: tuple[str, ...] = (
    "germeval2018",
    "germeval2019",
    "germeval2021",
    "hasoc-de",
    "one-million-posts",
)
SPLITS: tuple[str, ...] = ("train", "test")
TASKS: tuple[str, ...] = ("respect", "on_topic")

# Where each corpus can be obtained (mirrors training_data/README.md, "Public corpora").
_ORIGIN: dict[str, str] = {
    "germeval2018": "GermEval 2018 (CC BY 4.0), GitHub uds-lsv/GermEval-2018-Data",
    "germeval2019": (
        "GermEval 2019 Task 2, subtasks 1-2, the organisers' release (IGGSA), with the corrected "
        "training file germeval2019.training_subtask1_2_korrigiert.txt"
    ),
    "germeval2021": (
        "GermEval 2021 toxic comments, GitHub germeval2021toxic/SharedTask, folder 'Data Sets/'"
    ),
    "hasoc-de": "HASOC 2019 and 2020, German, from the HASOC organisers (hasocfire.github.io)",
    "one-million-posts": (
        "One Million Posts (CC BY-NC-SA 4.0), GitHub OFAI/million-post-corpus, posts_labeled.csv.xz"
    ),
}

# Files per corpus and split, relative to the corpus folder.
_FILES: dict[str, dict[str, tuple[str, ...]]] = {
    "germeval2018": {
        "train": ("germeval2018.training.txt",),
        "test": ("germeval2018.test.txt",),
    },
    "germeval2019": {
        "train": ("germeval2019.training_subtask1_2_korrigiert.txt",),
        # Texts from the participants' test file, labels from the gold file (same line order).
        "test": ("germeval2019_Testdata_Subtask12.txt", "germeval2019GoldLabelsSubtask1_2.txt"),
    },
    "germeval2021": {
        "train": ("GermEval21_TrainData.csv",),
        "test": ("GermEval21_TestData.csv",),
    },
    "hasoc-de": {
        "train": ("2019/german_dataset.tsv", "2020/hasoc_2020_de_train_new.csv"),
        "test": ("2019/hasoc_de_test_gold.tsv", "2020/german_test_1509.csv"),
    },
    "one-million-posts": {
        "train": ("posts_labeled.csv.xz",),
        "test": ("posts_labeled.csv.xz",),
    },
}

_GERMEVAL_COARSE = {"OFFENSE": 1, "OTHER": 0}
_HASOC_TASK1 = {"HOF": 1, "NOT": 0}
_BINARY = {"1": 1, "0": 0}

# The GermEval files put one space on each side of the marker: "a. |LBR| B".
_LBR = re.compile(r" ?\|LBR\| ?")
_CODEPOINT = re.compile(r"<U\+([0-9A-Fa-f]{4,8})>")
_TWITTER_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))  # &amp; last: no double unescape

_MILLION_FOLDS = {str(n) for n in range(1, 11)}
_MILLION_TEST_FOLD = "10"
_MILLION_CATEGORIES = {"respect": ("Inappropriate", "Discriminating"), "on_topic": ("OffTopic",)}


# --------------------------------------------------------------------------------------------
# Public interface
# --------------------------------------------------------------------------------------------


def load_corpus(
    name: str, data_dir: Path, split: str = "train", task: str = "respect"
) -> list[LabelledText]:
    """Read one split of a public corpus from ``data_dir/<name>/``.

    ``task`` is ``"respect"`` (offensive/toxic/hateful -> 1) for every corpus, or ``"on_topic"``
    (off-topic -> 1), which only ``one-million-posts`` supports. Raises :class:`CorpusError` with
    a message for the user when the files are missing or malformed.
    """
    _check_name(name)
    _check_split(split)
    if task not in TASKS:
        raise CorpusError(f"unknown task {task!r}; valid tasks: {', '.join(TASKS)}")
    if task == "on_topic" and name != "one-million-posts":
        raise CorpusError(
            f"corpus {name!r} has no on-topic labels; task 'on_topic' is only available for "
            "'one-million-posts'"
        )
    paths = corpus_files(name, data_dir, split)
    for path in paths:
        _require_file(path, name, Path(data_dir))
    if name == "one-million-posts":
        return _load_million_posts(paths[0], split, task)
    return _LOADERS[name](paths, split)


def available_corpora(data_dir: Path) -> list[str]:
    """Names (in :data:`CORPUS_NAMES` order) whose folder exists under ``data_dir``."""
    return [name for name in CORPUS_NAMES if (Path(data_dir) / name).is_dir()]


def corpus_files(name: str, data_dir: Path, split: str) -> list[Path]:
    """The files a split is read from (whether or not they exist), e.g. to record their sha256."""
    _check_name(name)
    _check_split(split)
    folder = Path(data_dir) / name
    return [folder / relative for relative in _FILES[name][split]]


# --------------------------------------------------------------------------------------------
# Per-corpus loaders
# --------------------------------------------------------------------------------------------


def _load_germeval2018(paths: list[Path], split: str) -> list[LabelledText]:
    return [
        LabelledText(_clean_germeval(text), label, "germeval2018", split)
        for text, label in _read_germeval_tsv(paths[0])
    ]


def _load_germeval2019(paths: list[Path], split: str) -> list[LabelledText]:
    if split == "train":
        pairs = _read_germeval_tsv(paths[0])
    else:
        # The gold file's text column has artefacts (escaped quotes, lost leading "M"), so the
        # text comes from the released test file and only the label from the gold file.
        texts_path, gold_path = paths
        texts = _lines(_read_text(texts_path))
        gold = _read_germeval_tsv(gold_path)
        if len(texts) != len(gold):
            raise CorpusError(
                f"{texts_path} has {len(texts)} lines but {gold_path} has {len(gold)}; they must "
                "match line by line"
            )
        for lineno, text in enumerate(texts, start=1):
            if "\t" in text or not text.strip():
                raise CorpusError(f"{texts_path}:{lineno}: expected one non-empty text column")
        pairs = [(text, label) for text, (_, label) in zip(texts, gold, strict=True)]
    return [
        LabelledText(_clean_germeval(text), label, "germeval2019", split) for text, label in pairs
    ]


def _load_germeval2021(paths: list[Path], split: str) -> list[LabelledText]:
    path = paths[0]
    items = []
    for lineno, row in _read_csv(path, ("comment_text", "Sub1_Toxic")):
        label = _label(row, "Sub1_Toxic", _BINARY, path, lineno)
        items.append(LabelledText(row["comment_text"], label, "germeval2021", split))
    return items


def _load_hasoc(paths: list[Path], split: str) -> list[LabelledText]:
    tsv_path, csv_path = paths  # 2019 then 2020
    items: list[LabelledText] = []
    for lineno, row in _read_hasoc2019_tsv(tsv_path):
        label = _label(row, "task_1", _HASOC_TASK1, tsv_path, lineno)
        items.append(LabelledText(_unescape_twitter(row["text"]), label, "hasoc-de", split))
    for lineno, row in _read_csv(csv_path, ("text", "task1")):
        # task1, not task2: in the 2020 test file the two disagree on 40 rows (README).
        label = _label(row, "task1", _HASOC_TASK1, csv_path, lineno)
        items.append(LabelledText(_unescape_twitter(row["text"]), label, "hasoc-de", split))
    return items


def _load_million_posts(path: Path, split: str, task: str) -> list[LabelledText]:
    """One Million Posts: one item per post annotated for the task's categories.

    The file is in long format (one row per post and category), and it has no test file. We use
    the corpus' own cross-validation folds: split "test" is fold 10, split "train" folds 1-9.
    The fold belongs to a (post, category) pair, so a post can sit in different folds for
    different categories. For task "respect" a post is labelled 1 when Inappropriate or
    Discriminating is 1, and it goes to "test" when *either* of those two rows is in fold 10;
    this is conservative, so no post that is test data for either category is ever trained on.
    For task "on_topic" the label and the fold come from the OffTopic row (1 = off-topic).
    Text is ``Headline + " " + Body``, stripped, as in the corpus paper.
    """
    categories = _MILLION_CATEGORIES[task]
    columns = ("ID_Post", "Headline", "Body", "Category", "Value", "Fold")
    posts: dict[str, _Post] = {}  # insertion order = order in the file
    for lineno, row in _read_csv(path, columns):
        if row["Category"] not in categories:
            continue
        value = _label(row, "Value", _BINARY, path, lineno)
        if row["Fold"] not in _MILLION_FOLDS:
            raise CorpusError(f"{path}:{lineno}: Fold {row['Fold']!r} is not one of 1-10")
        text = f"{row['Headline']} {row['Body']}".strip()
        post = posts.setdefault(row["ID_Post"], _Post(text))
        post.label = max(post.label, value)
        post.in_test = post.in_test or row["Fold"] == _MILLION_TEST_FOLD
    want_test = split == "test"
    return [
        LabelledText(post.text, post.label, "one-million-posts", split)
        for post in posts.values()
        if post.in_test == want_test
    ]


@dataclass
class _Post:
    """A One Million Posts post while its category rows are merged."""

    text: str
    label: int = 0
    in_test: bool = False


_LOADERS: dict[str, Callable[[list[Path], str], list[LabelledText]]] = {
    "germeval2018": _load_germeval2018,
    "germeval2019": _load_germeval2019,
    "germeval2021": _load_germeval2021,
    "hasoc-de": _load_hasoc,
}


# --------------------------------------------------------------------------------------------
# Reading helpers
# --------------------------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if name not in CORPUS_NAMES:
        raise UnknownCorpusError(
            f"unknown corpus {name!r}; valid names: {', '.join(CORPUS_NAMES)}"
        )


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise CorpusError(f"unknown split {split!r}; valid splits: {', '.join(SPLITS)}")


def _require_file(path: Path, name: str, data_dir: Path) -> None:
    if path.is_file():
        return
    folder = data_dir / name
    missing = (
        f"file {path} is missing" if folder.is_dir() else f"folder {folder} does not exist"
    )
    raise CorpusError(
        f"corpus {name!r} not found: {missing}. Get {_ORIGIN[name]} and put its files, unchanged, "
        f"in {folder}/ (see training_data/README.md, section 'Public corpora')."
    )


def _read_text(path: Path) -> str:
    """The whole file as text; invalid UTF-8 becomes a CorpusError naming file and line."""
    try:
        raw = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
    except lzma.LZMAError as exc:
        raise CorpusError(f"{path}: not a valid xz file ({exc})") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CorpusError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}); "
            "the corpus files must be used unchanged"
        ) from None


def _lines(text: str) -> list[str]:
    """Split on LF only (texts may hold U+2028 and the like); no final newline is fine."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _read_germeval_tsv(path: Path) -> list[tuple[str, int]]:
    """``text<TAB>coarse<TAB>fine`` lines as (raw text, coarse label)."""
    pairs = []
    for lineno, line in enumerate(_lines(_read_text(path)), start=1):
        fields = line.split("\t")
        if len(fields) != 3:
            raise CorpusError(
                f"{path}:{lineno}: expected 3 tab-separated columns (text, coarse, fine), "
                f"found {len(fields)}"
            )
        text, coarse, _fine = fields
        if coarse not in _GERMEVAL_COARSE:
            raise CorpusError(f"{path}:{lineno}: coarse label {coarse!r} is not OFFENSE or OTHER")
        pairs.append((text, _GERMEVAL_COARSE[coarse]))
    return pairs


def _read_hasoc2019_tsv(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    """HASOC 2019: TSV with a header and no quoting (quotes are literal text)."""
    lines = _lines(_read_text(path))
    header = lines[0].split("\t") if lines else []
    if header != ["text_id", "text", "task_1", "task_2"]:
        raise CorpusError(f"{path}:1: expected header text_id, text, task_1, task_2; got {header}")
    for lineno, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            raise CorpusError(
                f"{path}:{lineno}: expected {len(header)} tab-separated columns, "
                f"found {len(fields)}"
            )
        yield lineno, dict(zip(header, fields, strict=True))


def _read_csv(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """The given columns of each CSV row, with the (physical, 1-based) line the row starts on."""
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    try:
        header = next(reader, [])
        missing = [column for column in columns if column not in header]
        if missing:
            raise CorpusError(f"{path}:1: missing column(s) {', '.join(missing)} in the header")
        wanted = [(column, header.index(column)) for column in columns]
        rows = []
        start = reader.line_num + 1
        for row in reader:
            if len(row) != len(header):
                raise CorpusError(
                    f"{path}:{start}: {len(row)} columns, the header has {len(header)}"
                )
            # Quoted fields keep the file's CRLF line breaks; texts use "\n" throughout.
            rows.append((start, {col: row[i].replace("\r\n", "\n") for col, i in wanted}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CorpusError(f"{path}:{reader.line_num}: malformed CSV ({exc})") from None
    return rows


def _label(row: dict[str, str], column: str, mapping: dict[str, int], path: Path, line: int) -> int:
    value = row[column].strip()
    if value not in mapping:
        raise CorpusError(
            f"{path}:{line}: {column} is {value!r}; expected one of {', '.join(mapping)}"
        )
    return mapping[value]


def _clean_germeval(text: str) -> str:
    """Undo the GermEval encodings: ``|LBR|`` line breaks, ``<U+...>`` escapes, HTML entities."""
    text = _LBR.sub("\n", text)
    text = _CODEPOINT.sub(_codepoint, text)
    return _unescape_twitter(text)


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1), 16)
    # Surrogates and out-of-range values cannot stand alone in valid text: keep them escaped.
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return match.group(0)
    return chr(value)


def _unescape_twitter(text: str) -> str:
    """Twitter's API escapes exactly &, < and >; other ``&...;`` sequences are user text."""
    for entity, char in _TWITTER_ENTITIES:
        text = text.replace(entity, char)
    return text
