"""A rule that exists only in a policy file: no classifier code knows of it, yet the API decides by it.

The test policy keeps the default's ``respectful`` rule and replaces ``on_topic`` and ``spam`` by one
rule, ``off_topic_or_spam``, that judges the higher of the two scores with a code, thresholds and
messages of its own. The fake model gives every registered score, as the real one does.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from policies import Policy, load_policy

OFF_TOPIC_OR_SPAM = {
    "scores": ["on_topic", "spam"],
    "combine": "max",
    "code": "IRRELEVANT_CONTENT",
    "hold": 0.6,
    "reject": 0.9,
    "clearly_fine_below": 0.3,
    "moderator_message": {"de": "Kein Beitrag zum Artikel.", "en": "No contribution to the article."},
    "commenter_message": {
        "de": "Ihr Kommentar trägt nichts zum Artikel bei.",
        "en": "Your comment does not contribute to the article.",
    },
}


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    """The default policy with off_topic_or_spam instead of on_topic and spam."""
    data = json.loads(resources.files("policies").joinpath("default.json").read_text("utf-8"))
    data["version"] = "test-combined-1"
    data["rules"] = {"respectful": data["rules"]["respectful"], "off_topic_or_spam": OFF_TOPIC_OR_SPAM}
    for reason in data["moderator_reasons"]:  # the workspace's reasons must name rules of the file
        if reason["rule"] not in (None, *data["rules"]):
            reason["rule"] = "off_topic_or_spam"
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def policy(policy_file: Path) -> Policy:
    """The test policy; the fake model places its scores between this policy's thresholds."""
    return load_policy(policy_file)


@pytest.fixture
def app_config(app_config: dict[str, Any], policy_file: Path) -> dict[str, Any]:
    """The app serves the test policy."""
    return {**app_config, "POLICY": str(policy_file)}


@pytest.fixture
def article(api):
    """The article the comments are posted under."""
    return api.post_article()


def test_spam_is_rejected_by_the_combined_rule(api, article, model):
    text = "Mehr unter http://shop.example"
    body = api.post_comment(text=text).json
    assert (body["decision"], body["policy_version"]) == ("reject", "test-combined-1")
    [reason] = body["reasons"]
    assert (reason["rule"], reason["code"], reason["threshold"]) == ("off_topic_or_spam", "IRRELEVANT_CONTENT", 0.9)
    assert reason["score"] == pytest.approx(0.95)  # the fake's spam score, between 0.9 and 1
    assert reason["message"] == OFF_TOPIC_OR_SPAM["moderator_message"]
    assert [e["text"] for e in reason["evidence"]] == ["http"]
    assert OFF_TOPIC_OR_SPAM["commenter_message"]["de"] in body["statement_of_reasons"]["de"]
    # The scores are the classifier's, by score name: both that the rule read, and respect.
    assert body["scores"] == {"respectful": model.fine, "on_topic": model.fine, "spam": pytest.approx(0.95)}


def test_off_topic_is_held_by_the_combined_rule(api, article):
    body = api.post_comment(text="Schönes Wetter heute.").json
    assert body["decision"] == "hold"
    [reason] = body["reasons"]
    assert (reason["rule"], reason["threshold"]) == ("off_topic_or_spam", 0.6)
    assert reason["score"] == pytest.approx(0.75)  # the fake's on-topic score, between 0.6 and 0.9


def test_the_higher_score_decides_and_brings_its_evidence(api, article):
    body = api.post_comment(text="Schönes Wetter, siehe http://wetter.example").json
    assert body["decision"] == "reject"
    [reason] = body["reasons"]  # one rule, one reason, although both of its scores crossed
    assert reason["score"] == pytest.approx(0.95)
    assert [(e["text"], reason["signals"]) for e in reason["evidence"]] == [("http", {"marker": "http"})]


def test_the_other_rules_still_decide_as_before(api, article, policy):
    body = api.post_comment(text="Du Idiot.").json
    assert body["decision"] == "reject"
    assert [(r["rule"], r["threshold"]) for r in body["reasons"]] == [("respectful", policy.rules["respectful"].reject)]
