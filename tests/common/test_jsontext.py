"""The one reader of outside JSON: each failure in plain words, as the end of a sentence."""

import pytest

from common.jsontext import JSONTextError, parse_json


@pytest.mark.parametrize("raw", ['{"a": [1, 2.5, null]}', b'{"a": [1, 2.5, null]}'])
def test_json_text_and_utf8_bytes_are_read(raw) -> None:
    assert parse_json(raw) == {"a": [1, 2.5, None]}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"text": "Gr\xfc\xdfe"}', "is not valid UTF-8 (at byte 12)"),
        ('{"text": "offen', "is not valid JSON: Unterminated string starting at (character 10)"),
        # a JSON-lines line ends in a newline: that is no second line to point at
        (b'{"text": \n', "is not valid JSON: Expecting value (character 11)"),
        ('{\n  "a": 1,\n}', "(line 3, column 1)"),
        ("[" * 100_000 + "]" * 100_000, "is nested too deeply"),
        ('{"n": ' + "9" * 5000 + "}", "holds a number with too many digits"),
    ],
    ids=["utf-8", "json", "json-line", "position", "deep", "digits"],
)
def test_each_failure_is_one_error_that_says_what_is_wrong(raw, message) -> None:
    with pytest.raises(JSONTextError) as error:
        parse_json(raw)
    assert message in str(error.value)
    assert isinstance(error.value, ValueError)  # callers that catch ValueError keep working
