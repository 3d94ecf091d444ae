"""Quoted words: where a comment's quotation marks are, and whether its strongest evidence is inside."""

from __future__ import annotations

import pytest

from classifier.text.quotes import quoted_spans, strongest_evidence_quoted
from classifier.types import Evidence


def quoted(text: str) -> list[str]:
    return [text[start:end] for start, end in quoted_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Wer Menschen als "Ungeziefer" bezeichnet', ['"Ungeziefer"']),
        ("Wer Geflüchtete als „Schmarotzer“ beschimpft", ["„Schmarotzer“"]),
        ("Er schrieb “Pack” und «Gesindel» und »Ratten«", ["“Pack”", "«Gesindel»", "»Ratten«"]),
        ("calling people 'sheep' is lazy", ["'sheep'"]),
        ("don't and geht's are apostrophes, not quotes", []),
        ("Das ist ein Idiot.", []),
        ('ein " einzelnes Zeichen', []),
    ],
)
def test_quoted_spans(text, expected) -> None:
    assert quoted(text) == expected


def test_the_strongest_evidence_decides() -> None:
    text = 'Wer andere "Idioten" nennt, ist selbst dumm.'
    inside = Evidence("Idioten", 12, 19, 2.0)
    outside = Evidence("dumm", 39, 43, 1.0)
    assert text[inside.start : inside.end] == "Idioten" and text[outside.start : outside.end] == "dumm"
    assert strongest_evidence_quoted(text, (outside, inside)) is True
    assert strongest_evidence_quoted(text, (Evidence("Idioten", 12, 19, 0.5), outside)) is False
    assert strongest_evidence_quoted(text, ()) is False


def test_the_model_reports_it_with_the_respect_evidence(trained_model) -> None:
    from classifier.types import CommentInput

    for text in ('Wer andere als "Vollidioten" beschimpft, hat keine Argumente.', "Du Vollidiot."):
        scores = trained_model.score(CommentInput(text))
        evidence = scores["respectful"].evidence
        assert evidence  # evidence_above defaults to 0: always computed
        assert scores["respectful"].signals["evidence_quoted"] is strongest_evidence_quoted(text, evidence)
    assert trained_model.score(CommentInput("Du Vollidiot."))["respectful"].signals["evidence_quoted"] is False
