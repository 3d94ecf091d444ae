"""The normaliser: each obfuscation undone case by case, ordinary words left alone, offsets exact."""

from __future__ import annotations

import pytest

from classifier.data.teamdata import load_team_data
from classifier.text.normalize import URL_TOKEN, USER_TOKEN, Normalized, normalize, normalize_text


def assert_offsets_valid(original: str, result: Normalized) -> None:
    """One offset per normalised character, each inside the original, never going backwards."""
    assert len(result.offsets) == len(result.text)
    assert all(0 <= offset < len(original) for offset in result.offsets)
    assert list(result.offsets) == sorted(result.offsets)


def original_of(original: str, result: Normalized, word: str) -> str:
    """The original characters a word of the normalised text came from."""
    start = result.text.index(word)
    begin, end = result.span(start, start + len(word))
    return original[begin:end]


# --- each obfuscation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Unicode NFKC: fullwidth letters, ligatures
        ("Ｄｕ ｂｉｓｔ ＥＩＮ Ｉｄｉｏｔ", "du bist ein idiot"),
        ("ﬁnde ich auch", "finde ich auch"),
        # case
        ("DU BIST DOOF", "du bist doof"),
        ("İstanbul", "istanbul"),
        # leetspeak
        ("V0llid1ot", "vollidiot"),
        ("D3pp", "depp"),
        ("H4ck3r", "hacker"),
        ("Schei55e", "scheisse"),
        ("Ar5chloch", "arschloch"),
        # spaced-out letters, with blanks, hyphens, dots, emoji, or mixed with leetspeak
        ("I d i o t", "idiot"),
        ("I-d-i-o-t", "idiot"),
        ("P.e.n.n.e.r", "penner"),
        ("I. d. i. o. t", "idiot"),
        ("I💩d💩i💩o💩t", "idiot"),
        ("I 💩 d 💩 i 💩 o 💩 t", "idiot"),
        ("V 0 l l i d i o t", "vollidiot"),
        # symbols and emoji inside a word
        ("id🤬iot", "idiot"),
        ("Arsch*loch", "arschloch"),
        # repeated letters: vowels to one, consonants to two
        ("Idiooooot", "idiot"),
        ("Idiiiiiot", "idiot"),
        ("Sooooo gut", "so gut"),
        ("Mussss das sein", "muss das sein"),
        # accents other than umlauts are stripped so that spellings meet
        ("Café", "cafe"),
    ],
)
def test_obfuscation_is_undone(raw: str, expected: str) -> None:
    result = normalize(raw)
    assert result.text == expected
    assert_offsets_valid(raw, result)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Du bist ein I d i o t!", "du bist ein idiot!"),
        ("Halt die Klappe, du I-d-i-o-t.", "halt die klappe, du idiot."),
        ("So ein P.e.n.n.e.r, ehrlich.", "so ein penner, ehrlich."),
        ("Was für ein V0llid1ot", "was fuer ein vollidiot"),
        ("Ihr seid alle Idiooooten!!!", "ihr seid alle idioten!!!"),
    ],
)
def test_obfuscation_inside_a_sentence(raw: str, expected: str) -> None:
    result = normalize(raw)
    assert result.text == expected
    assert_offsets_valid(raw, result)


@pytest.mark.parametrize(
    ("with_umlauts", "spelled_out"),
    [
        ("Schwachköpfe", "Schwachkoepfe"),
        ("Müll", "Muell"),
        ("Dummschwätzer", "Dummschwaetzer"),
        ("SCHWACHKÖPFE", "schwachkoepfe"),
        ("Straße", "Strasse"),
        ("Du bist so ein Vollidiöt, echt übel", "Du bist so ein Vollidioet, echt uebel"),
    ],
)
def test_missing_umlauts_give_the_same_text(with_umlauts: str, spelled_out: str) -> None:
    assert normalize(with_umlauts).text == normalize(spelled_out).text
    assert_offsets_valid(with_umlauts, normalize(with_umlauts))


def test_decomposed_umlauts_are_composed_first() -> None:
    decomposed = "Schwachko\u0308pfe und u\u0308berhaupt"
    assert normalize(decomposed).text == normalize("Schwachköpfe und überhaupt").text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Ar$chloch", "arschloch"), ("A$$loch", "assloch"), ("So eine Schei$$e", "so eine scheisse")],
)
def test_dollar_sign_is_read_as_s(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


# --- URLs and mentions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected_words"),
    [
        ("Schau auf https://example.com/x?y=1 nach", ["schau", "auf", URL_TOKEN, "nach"]),
        ("HTTP://EXAMPLE.COM billig", [URL_TOKEN, "billig"]),
        ("www.spam-shop.de ist toll", [URL_TOKEN, "urlshop", "ist", "toll"]),
        ("Kauft bei bestdeals.shop/angebot ein", ["kauft", "bei", URL_TOKEN, "urlshop", "ein"]),
        ("Quelle: https://www.destatis.de/DE/Themen/breitband.html", ["quelle:", URL_TOKEN]),
        ("https://shop.example.com/x?tag=spar-21", [URL_TOKEN, "urlshop", "urlaffiliate"]),
        ("@max_muster hat recht", [USER_TOKEN, "hat", "recht"]),
        ("Danke @Anna und @bernd_42!", ["danke", USER_TOKEN, "und", USER_TOKEN, "!"]),
        ("@nutzer siehe https://t.co/AbC", [USER_TOKEN, "siehe", URL_TOKEN, "urlshort"]),
    ],
)
def test_urls_and_mentions_become_tokens(raw: str, expected_words: list[str]) -> None:
    result = normalize(raw)
    assert result.text.split() == expected_words
    assert_offsets_valid(raw, result)


def test_the_url_token_points_into_the_url() -> None:
    text = "Mehr Infos: https://example.com/a jetzt"
    result = normalize(text)
    start, _ = result.span(result.text.index(URL_TOKEN), result.text.index(URL_TOKEN) + len(URL_TOKEN))
    assert start == text.index("https")


@pytest.mark.parametrize(
    ("text", "token", "original"),
    [
        ("Spam: https://example.com/very/long/path?x=1 kaufen", URL_TOKEN,
         "https://example.com/very/long/path?x=1"),
        ("@maximilian_mustermann du hast recht", USER_TOKEN, "@maximilian_mustermann"),
    ],
)
def test_token_span_covers_the_whole_url_or_mention(text: str, token: str, original: str) -> None:
    assert original_of(text, normalize(text), token) == original


# --- ordinary text is not damaged ----------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["iPhone17", "mp3", "2026", "Windows 11", "B1-Niveau", "G7-Gipfel", "COVID-19", "E-Autos",
     "PS5", "A380", "11 kW", "3:0", "1.000 Euro", "Kaffee", "Boot", "Allee", "Seeufer"],
)
def test_ordinary_words_are_only_lower_cased(word: str) -> None:
    assert normalize(word).text == word.lower()


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen.",
         "der bundestag hat am donnerstag ein neues gesetz beschlossen."),
        ("Die Förderung für Wärmepumpen läuft Ende 2026 aus, sagt das Ministerium.",
         "die foerderung fuer waermepumpen laeuft ende 2026 aus, sagt das ministerium."),
        ("Das neue iPhone17 kostet 1.199 Euro – ist das gerechtfertigt?",
         "das neue iphone17 kostet 1.199 euro – ist das gerechtfertigt?"),
        ("Ich höre meine mp3-Sammlung noch immer im Auto.",
         "ich hoere meine mp3-sammlung noch immer im auto."),
        ("Michael aus Israel hat recht: 11 kW reichen zu Hause.",
         "michael aus israel hat recht: 11 kw reichen zu hause."),
        ("Wer zahlt das? Die Stadtwerke, die Kunden oder der Bund?",
         "wer zahlt das? die stadtwerke, die kunden oder der bund?"),
    ],
)
def test_ordinary_german_sentences_are_not_damaged(sentence: str, expected: str) -> None:
    result = normalize(sentence)
    assert result.text == expected
    assert_offsets_valid(sentence, result)


@pytest.mark.parametrize("word", ["H5N1", "iPhone17s", "Win10", "B2B", "MP3s", "PS4s"])
def test_words_with_digits_between_letters_are_not_read_as_leetspeak(word: str) -> None:
    assert normalize(word).text == word.lower()


@pytest.mark.parametrize(
    ("word", "expected"),
    # the same shape as a model name's plural, but more letters or another last letter
    [("D3pp", "depp"), ("sh1t", "shit"), ("Schei55e", "scheisse"), ("Id1ots", "idiots"), ("a5s", "ass")],
)
def test_short_leetspeak_words_are_still_read(word: str, expected: str) -> None:
    assert normalize(word).text == expected


def test_normalize_text_is_the_normalised_text() -> None:
    text = "Du V0llid1ot, schau auf https://x.de/y"
    assert normalize_text(text) == normalize(text).text


def test_empty_and_blank_text() -> None:
    assert normalize("") == Normalized("", ())
    assert normalize("   ").text == "   "


# --- offsets back to the original ----------------------------------------------------------


def test_span_maps_an_obfuscated_word_back_exactly() -> None:
    text = "Du bist ein V 0 l l i d i o t, echt."
    result = normalize(text)
    assert result.text == "du bist ein vollidiot, echt."
    start = result.text.index("vollidiot")
    assert result.span(start, start + len("vollidiot")) == (12, 29)
    assert text[12:29] == "V 0 l l i d i o t"


@pytest.mark.parametrize(
    ("text", "word", "original"),
    [
        ("Halt die Klappe, du I-d-i-o-t.", "idiot", "I-d-i-o-t"),
        ("So ein P.e.n.n.e.r, ehrlich.", "penner", "P.e.n.n.e.r"),
        ("Was für ein D3pp", "depp", "D3pp"),
        ("Du bist ein I💩d💩i💩o💩t", "idiot", "I💩d💩i💩o💩t"),
        ("Ach, du id🤬iot", "idiot", "id🤬iot"),
        ("Was für ein Idiooooot!", "idiot", "Idiooooot"),
        ("Ｄｕ Ｉｄｉｏｔ", "idiot", "Ｉｄｉｏｔ"),
        ("Ihr Schwachköpfe da oben", "schwachkoepfe", "Schwachköpfe"),
        ("Straße frei", "strasse", "Straße"),
        ("Lies @bernd dann https://x.de/a Wörter", "woerter", "Wörter"),
    ],
)
def test_span_maps_each_repair_back(text: str, word: str, original: str) -> None:
    result = normalize(text)
    assert_offsets_valid(text, result)
    assert original_of(text, result, word) == original


def test_plain_ascii_offsets_are_the_identity() -> None:
    text = "ein ganz normaler satz ohne tricks."
    assert normalize(text).offsets == tuple(range(len(text)))


def test_offsets_are_valid_for_every_team_comment(clf_team_dir) -> None:
    for comment in load_team_data(clf_team_dir).comments:
        assert_offsets_valid(comment.text, normalize(comment.text))
