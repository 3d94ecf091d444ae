"""The moderation queue (order, filters, paging) and moderators' decisions (who, when, races)."""

from __future__ import annotations

from datetime import datetime

import pytest

from service.schemas import MAX_QUEUE_LIMIT


@pytest.fixture
def held(api):
    """Two articles and comments in every state; returns the held ones, most urgent first."""
    api.post_article(id="a-1")
    api.post_article(id="a-2", title="Smartphones", lang="en")
    posts = [
        ("c-fine", "a-1", "Gute Karte.", "de"),  # approved
        ("c-insult", "a-1", "Du Idiot.", "de"),  # rejected
        ("c-dumb-1", "a-1", "Das ist dumm.", "de"),  # held, disrespect
        ("c-weather", "a-2", "Schönes Wetter.", "en"),  # held, off-topic (more urgent)
        ("c-dumb-2", "a-2", "Auch dumm.", "en"),  # held, disrespect, younger than c-dumb-1
    ]
    for comment_id, article_id, text, lang in posts:
        assert api.post_comment(id=comment_id, article_id=article_id, text=text, lang=lang).status_code == 201
    return ["c-weather", "c-dumb-1", "c-dumb-2"]


def queue(api, query: str = "") -> dict:
    """GET the queue as a moderator."""
    response = api.get(f"/v1/queue?{query}", role="moderator")
    assert response.status_code == 200, response.json
    return response.json


def ids(page: dict) -> list[str]:
    """The comment ids of a queue page."""
    return [item["id"] for item in page["items"]]


def test_queue_lists_held_comments_most_urgent_then_oldest_first(api, held):
    page = queue(api)
    assert ids(page) == held
    urgencies = [max(item["scores"].values()) for item in page["items"]]
    assert urgencies == sorted(urgencies, reverse=True)
    assert page["next_cursor"] is None
    same = [item for item in page["items"] if item["id"].startswith("c-dumb")]
    assert datetime.fromisoformat(same[0]["created_at"]) <= datetime.fromisoformat(same[1]["created_at"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=approved", ["c-fine"]),
        ("status=rejected", ["c-insult"]),
        ("article_id=a-1", ["c-dumb-1"]),
        ("lang=en", ["c-weather", "c-dumb-2"]),
        ("reason=IRRELEVANT_CONTENT", ["c-weather"]),
        ("reason=ABUSIVE", ["c-dumb-1", "c-dumb-2"]),
        ("reason=ABUSIVE&article_id=a-2", ["c-dumb-2"]),
        ("reason=SPAM", []),
        ("article_id=a-404", []),
    ],
)
def test_queue_filters(api, held, query, expected):
    assert ids(queue(api, query)) == expected


def test_reason_filter_looks_at_the_current_revision_only(api, held):
    api.post_comment(id="c-dumb-1", article_id="a-1", text="Schönes Wetter jetzt.")
    assert "c-dumb-1" not in ids(queue(api, "reason=ABUSIVE"))
    assert "c-dumb-1" in ids(queue(api, "reason=IRRELEVANT_CONTENT"))


def test_cursor_pages_through_the_whole_queue_once(api, held):
    seen, cursor = [], None
    while True:
        page = queue(api, "limit=1" + (f"&cursor={cursor}" if cursor else ""))
        assert len(page["items"]) <= 1
        seen += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == held


def test_page_size_is_capped(api):
    api.post_article()
    comments = [{"id": f"c-{i}", "article_id": "a-1", "text": "dumm"} for i in range(100)]
    for start in range(0, MAX_QUEUE_LIMIT + 1, 100):
        batch = [{**c, "id": f"{c['id']}-{start}"} for c in comments]
        api.post("/v1/comments/batch", role="backend", json={"comments": batch})
    page = queue(api, f"limit={MAX_QUEUE_LIMIT * 10}")
    assert len(page["items"]) == MAX_QUEUE_LIMIT
    assert page["next_cursor"] is not None


# --- decisions -----------------------------------------------------------------------------


def decide(api, comment_id: str, **body):
    """POST a moderator's decision."""
    return api.post(f"/v1/comments/{comment_id}/decision", role="moderator", json=body)


def test_decision_sets_the_status_and_records_who_and_when(api, held, rows):
    before = datetime.now().astimezone()
    response = decide(api, "c-dumb-1", decision="approve", reason_code="OTHER", note="Satire.")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "approved"
    assert body["decision"] == "hold"  # the automated decision stays on record
    review = body["review"]
    assert review["decision"] == "approve"
    assert review["moderator"] == "test moderator"
    assert (review["reason_code"], review["note"]) == ("OTHER", "Satire.")
    assert review["revision"] == 1
    assert datetime.fromisoformat(review["decided_at"]) >= before
    assert body["updated_at"] == review["decided_at"]  # the review is what changed the comment
    assert "c-dumb-1" not in ids(queue(api))
    assert "c-dumb-1" in ids(queue(api, "status=approved"))
    assert rows()["reviews"] == 1
    detail = api.get("/v1/comments/c-dumb-1", role="moderator").json
    assert [r["decision"] for r in detail["reviews"]] == ["approve"]


def test_moderator_can_reject_an_approved_comment(api, held):
    assert decide(api, "c-fine", decision="reject", reason_code="SPAM").json["status"] == "rejected"


def test_the_statement_of_reasons_follows_the_moderators_decision(api, held):
    assert "automatically" in api.get("/v1/comments/c-dumb-1", role="moderator").json[
        "statement_of_reasons"]["en"]
    rejected = decide(api, "c-dumb-1", decision="reject", reason_code="ABUSIVE").json
    assert "moderation team reviewed" in rejected["statement_of_reasons"]["en"]
    assert "automatically" not in rejected["statement_of_reasons"]["en"]
    approved = decide(api, "c-fine", decision="approve").json
    assert approved["statement_of_reasons"] is None


def test_second_decision_without_version_is_a_conflict_with_the_current_state(api, held, rows):
    first = decide(api, "c-dumb-1", decision="approve").json
    response = decide(api, "c-dumb-1", decision="reject")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    current = response.json["comment"]
    assert current["status"] == "approved"
    assert current["version"] == first["version"]
    assert current["review"]["moderator"] == "test moderator"
    assert rows()["reviews"] == 1


def test_a_retried_decision_is_recorded_once(api, held, rows):
    seen = api.get("/v1/comments/c-dumb-1", role="moderator").json["version"]
    first = decide(api, "c-dumb-1", decision="reject", reason_code="ABUSIVE", version=seen)
    retry = decide(api, "c-dumb-1", decision="reject", reason_code="ABUSIVE", version=seen)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json["version"] == first.json["version"]
    assert rows()["reviews"] == 1


def test_a_repeated_decision_with_a_version_never_handed_out_is_no_retry(api, held, rows):
    seen = api.get("/v1/comments/c-dumb-1", role="moderator").json["version"]
    assert decide(api, "c-dumb-1", decision="reject", version=seen).status_code == 200
    response = decide(api, "c-dumb-1", decision="reject", version=99)
    assert response.status_code == 409
    assert "never handed out" in response.json["detail"]
    assert rows()["reviews"] == 1


def test_a_version_never_handed_out_is_a_conflict_saying_so(api, held, rows):
    response = decide(api, "c-dumb-1", decision="approve", version=99)
    assert response.status_code == 409
    assert "never handed out" in response.json["detail"]
    assert rows()["reviews"] == 0


def test_decision_on_a_version_seen_before_another_decision_is_a_conflict(api, held):
    seen = api.get("/v1/comments/c-dumb-1", role="moderator").json["version"]
    assert decide(api, "c-dumb-1", decision="approve", version=seen).status_code == 200
    response = decide(api, "c-dumb-1", decision="reject", version=seen)
    assert response.status_code == 409
    assert response.json["comment"]["status"] == "approved"


def test_decision_on_a_version_seen_before_an_edit_is_a_conflict(api, held):
    seen = api.get("/v1/comments/c-dumb-1", role="moderator").json["version"]
    api.post_comment(id="c-dumb-1", text="Jetzt ganz freundlich.")
    response = decide(api, "c-dumb-1", decision="reject", version=seen)
    assert response.status_code == 409
    assert response.json["comment"]["text"] == "Jetzt ganz freundlich."


def test_decision_on_the_current_version_may_override(api, held):
    first = decide(api, "c-dumb-1", decision="approve").json
    second = decide(api, "c-dumb-1", decision="reject", version=first["version"])
    assert second.status_code == 200
    assert second.json["status"] == "rejected"
    assert second.json["review"]["decision"] == "reject"


def test_an_edit_needs_a_new_decision(api, held):
    decide(api, "c-dumb-1", decision="approve")
    edited = api.post_comment(id="c-dumb-1", text="Immer noch dumm, wirklich.").json
    assert edited["status"] == "held"
    assert edited["review"] is None
    assert decide(api, "c-dumb-1", decision="reject").status_code == 200
