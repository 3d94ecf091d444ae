"""Posting comments: decisions with reasons, idempotency, edits, batches, scorer failures."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from policies.policy import SYSTEM
from service.schemas import MAX_BATCH
from service.storage import comments as storage_comments


@pytest.fixture
def article(api):
    """The article the comments are posted under."""
    return api.post_article()


def test_fine_comment_is_approved_without_reasons(api, article, model, policy):
    response = api.post_comment(text="Gute Karte, danke für den Test.")
    assert response.status_code == 201
    body = response.json
    assert body["id"] == "c-1"
    assert body["article_id"] == article["id"]
    assert body["decision"] == "approve"
    assert body["status"] == "approved"
    assert body["reasons"] == []
    assert body["statement_of_reasons"] is None
    assert set(body["scores"]) == {"respectful", "on_topic", "spam"}
    assert all(score == model.fine for score in body["scores"].values())
    assert body["model_version"] == model.version
    assert body["policy_version"] == policy.version
    assert body["created_at"].endswith("+00:00")


def test_insult_is_rejected_with_reason_evidence_and_statement(api, article, policy):
    text = "Du bist ein Idiot."
    body = api.post_comment(text=text).json
    assert body["decision"] == "reject"
    assert body["status"] == "rejected"
    reason = body["reasons"][0]
    rule = policy.rules["respectful"]
    assert reason["rule"] == "respectful"
    assert reason["code"] == rule.code
    assert reason["threshold"] == rule.reject
    assert reason["score"] >= reason["threshold"]
    assert reason["message"] == rule.moderator_message
    [evidence] = reason["evidence"]
    assert text[evidence["start"] : evidence["end"]] == evidence["text"] == "Idiot"
    assert reason["signals"] == {"marker": "idiot"}
    assert set(body["statement_of_reasons"]) == {"de", "en"}
    assert rule.commenter_message["de"] in body["statement_of_reasons"]["de"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [("Das ist dumm.", "respectful"), ("Schönes Wetter heute.", "on_topic")],
)
def test_borderline_comment_is_held_for_a_person(api, article, policy, text, rule):
    body = api.post_comment(text=text).json
    assert (body["decision"], body["status"]) == ("hold", "held")
    assert [r["rule"] for r in body["reasons"]] == [rule]
    assert body["reasons"][0]["threshold"] == policy.rules[rule].hold
    assert body["statement_of_reasons"] is not None


def test_every_rule_that_fires_gives_a_reason_most_severe_first(api, article):
    body = api.post_comment(text="Idiot, schau bei http://spam.example vorbei, schönes Wetter").json
    assert body["decision"] == "reject"
    assert {r["rule"] for r in body["reasons"]} == {"respectful", "spam", "on_topic"}
    assert body["reasons"][-1]["rule"] == "on_topic"  # a hold reason after the rejects


def test_the_model_sees_article_and_parent(api, article, model):
    api.post_comment(id="c-1", text="Erster Kommentar.")
    api.post_comment(id="c-2", text="Antwort.", parent_id="c-1")
    api.post_comment(id="c-3", text="Antwort auf Unbekanntes.", parent_id="c-unknown")
    first, reply, orphan = model.scored
    assert first.article.title == article["title"]
    assert first.article.body == article["body"]
    assert first.parent_text is None
    assert reply.parent_text == "Erster Kommentar."
    assert orphan.parent_text is None


def test_publishing_an_article_lets_the_model_prepare_it(api, article, model):
    assert [(a.title, a.body) for a in model.prepared] == [(article["title"], article["body"])]
    changed = {"id": article["id"], "title": article["title"], "body": "Neuer Text."}
    assert api.post("/v1/articles", role="backend", json=changed).status_code == 200
    assert (model.prepared[-1].title, model.prepared[-1].body) == (article["title"], "Neuer Text.")


def test_an_article_s_publication_time_is_answered_in_utc_as_stored(api):
    sent = {"id": "a-tz", "title": "Titel", "body": "Text", "published_at": "2026-11-25T08:30:00+02:00"}
    created = api.post("/v1/articles", role="backend", json=sent).json
    stored = api.get("/v1/articles/a-tz", role="backend").json
    assert created["published_at"] == stored["published_at"] == "2026-11-25T06:30:00+00:00"


def test_a_model_failing_to_prepare_an_article_does_not_fail_the_request(api, model, monkeypatch, rows):
    def fail(_article):
        raise RuntimeError("model on fire")

    monkeypatch.setattr(model, "prepare_article", fail)
    response = api.post("/v1/articles", role="backend", json={"id": "a-9", "title": "Titel", "body": "Text"})
    assert response.status_code == 201
    assert rows()["articles"] == 1
    assert api.post_comment(article_id="a-9", text="Gute Karte.").status_code == 201


def test_inline_article_is_stored_with_the_comment(api, rows):
    comment = {
        "id": "c-1",
        "text": "Gute Karte.",
        "article": {"id": "a-new", "title": "Prozessoren im Vergleich"},
    }
    response = api.post("/v1/comments", role="backend", json=comment)
    assert response.status_code == 201
    assert response.json["article_id"] == "a-new"
    stored = api.get("/v1/articles/a-new", role="backend").json
    assert stored["title"] == "Prozessoren im Vergleich"
    assert rows()["articles"] == 1


def test_same_id_and_text_again_returns_the_stored_decision(api, article, model, rows):
    first = api.post_comment(text="Das ist dumm.")
    counts = rows()
    scored = len(model.scored)
    again = api.post_comment(text="Das ist dumm.")
    assert again.status_code == 200
    assert again.json == first.json
    assert rows() == counts
    assert len(model.scored) == scored  # not scored again


def test_edit_is_moderated_again_and_keeps_the_history(api, article, rows):
    first = api.post_comment(text="Gute Karte.").json
    edited = api.post_comment(text="Gute Karte, du Idiot.")
    assert edited.status_code == 200
    body = edited.json
    assert body["decision"] == "reject"
    assert body["status"] == "rejected"
    assert body["revision"] == 2
    assert body["version"] > first["version"]
    assert body["created_at"] == first["created_at"]
    assert rows()["comments"] == 1
    detail = api.get("/v1/comments/c-1", role="moderator").json
    assert [(r["number"], r["text"], r["decision"]) for r in detail["revisions"]] == [
        (1, "Gute Karte.", "approve"),
        (2, "Gute Karte, du Idiot.", "reject"),
    ]
    assert detail["revisions"][0]["reasons"] == []
    assert detail["revisions"][1]["reasons"][0]["rule"] == "respectful"
    assert detail["updated_at"] == detail["revisions"][1]["created_at"]  # changed by that revision


def test_get_comment_returns_what_post_stored(api, article):
    posted = api.post_comment(text="Das ist dumm.").json
    fetched = api.get("/v1/comments/c-1", role="backend").json
    assert {key: fetched[key] for key in posted} == posted
    assert fetched["reviews"] == []


def test_scorer_failure_holds_the_comment_with_a_system_reason(api, article, model, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("model on fire")

    monkeypatch.setattr(model, "score_many", fail)
    monkeypatch.setattr(model, "score", fail)
    body = api.post_comment(text="Gute Karte.").json
    assert (body["decision"], body["status"]) == ("hold", "held")
    [reason] = body["reasons"]
    assert (reason["rule"], reason["code"]) == (SYSTEM, "OTHER")
    assert "model on fire" in reason["signals"]["failure"]
    assert body["model_version"] == model.version
    assert body["statement_of_reasons"] is not None


def test_failed_batch_scoring_falls_back_to_one_by_one(api, article, model, monkeypatch):
    monkeypatch.setattr(model, "score_many", lambda _comments, **_: [])  # a broken batch scorer
    comments = [
        {"id": "c-1", "article_id": "a-1", "text": "Du Idiot."},
        {"id": "c-2", "article_id": "a-1", "text": "Gute Karte."},
    ]
    results = api.post("/v1/comments/batch", role="backend", json={"comments": comments}).json["results"]
    assert [r["comment"]["decision"] for r in results] == ["reject", "approve"]


def test_without_a_model_comments_are_held(build_app, api_for, tmp_path):
    api = api_for(build_app(MODEL=None, MODEL_DIR=str(tmp_path / "empty")))
    api.post_article()
    body = api.post_comment(text="Gute Karte.").json
    assert (body["decision"], body["model_version"]) == ("hold", "none")
    assert "No model is loaded" in body["reasons"][0]["signals"]["failure"]


# --- batches -------------------------------------------------------------------------------


def test_batch_reports_each_comment_on_its_own(api, article, rows):
    api.post_comment(id="c-old", text="Schon da.")
    comments = [
        {"id": "c-1", "article_id": "a-1", "text": "Gute Karte."},
        {"id": "c-2", "article_id": "a-1", "text": ""},
        {"id": "c-3", "article_id": "a-404", "text": "Falscher Artikel."},
        {"id": "c-old", "article_id": "a-1", "text": "Schon da."},
        {"id": "c-4", "article_id": "a-1", "text": "Du Idiot."},
        "not an object",
    ]
    response = api.post("/v1/comments/batch", role="backend", json={"comments": comments})
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["index"] for r in results] == list(range(len(comments)))
    assert [r["status"] for r in results] == [201, 422, 422, 200, 201, 422]
    assert [r["id"] for r in results] == ["c-1", "c-2", "c-3", "c-old", "c-4", None]
    assert results[0]["comment"]["decision"] == "approve"
    assert results[4]["comment"]["decision"] == "reject"
    assert "text" in results[1]["error"]["errors"]
    assert "article_id" in results[2]["error"]["errors"]
    assert "_schema" in results[5]["error"]["errors"]
    assert results[1]["error"]["instance"].endswith("#/comments/1")
    assert "comment" not in results[1]
    assert rows()["comments"] == 3  # c-old, c-1 and c-4


def test_batch_isolates_a_comment_that_breaks_the_model(api, article):
    comments = [
        {"id": "c-1", "article_id": "a-1", "text": "Gute Karte."},
        {"id": "c-2", "article_id": "a-1", "text": "This will explode."},
    ]
    results = api.post("/v1/comments/batch", role="backend", json={"comments": comments}).json["results"]
    assert results[0]["comment"]["decision"] == "approve"
    assert results[1]["comment"]["decision"] == "hold"
    assert results[1]["comment"]["reasons"][0]["code"] == "OTHER"


def test_a_retried_batch_comment_leaves_the_others_readable(api, article, monkeypatch):
    api.post_comment(id="c-1", text="Erste Fassung.")
    real_insert = storage_comments._insert
    raced = []

    def insert_after_a_race(session, comment):
        # As if another request inserted c-2 first: its transaction is rolled back and retried.
        if comment.id == "c-2" and not raced:
            raced.append(comment.id)
            raise IntegrityError("INSERT INTO comments", {}, Exception("duplicate key"))
        return real_insert(session, comment)

    monkeypatch.setattr(storage_comments, "_insert", insert_after_a_race)
    comments = [
        {"id": "c-1", "article_id": "a-1", "text": "Zweite Fassung."},
        {"id": "c-2", "article_id": "a-1", "text": "Gute Karte."},
    ]
    response = api.post("/v1/comments/batch", role="backend", json={"comments": comments})
    assert raced == ["c-2"]
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status"] for r in results] == [200, 201]
    assert (results[0]["comment"]["text"], results[0]["comment"]["revision"]) == ("Zweite Fassung.", 2)


def test_batch_with_the_same_id_twice_refuses_the_repeats(api, article, rows):
    comments = [
        {"id": "c-1", "article_id": "a-1", "text": "Erste Fassung."},
        {"id": "c-1", "article_id": "a-1", "text": "Erste Fassung."},
        {"id": "c-1", "article_id": "a-1", "text": "Zweite Fassung."},
    ]
    results = api.post("/v1/comments/batch", role="backend", json={"comments": comments}).json["results"]
    assert [r["status"] for r in results] == [201, 422, 422]
    assert results[0]["comment"]["text"] == "Erste Fassung."
    assert "more than once" in results[1]["error"]["errors"]["id"][0]
    assert rows()["comments"] == 1
    assert rows()["comment_revisions"] == 1


def test_batch_refuses_a_repeat_of_an_invalid_item_s_id(api, article, rows):
    comments = [
        {"id": "c-1", "article_id": "a-1", "text": ""},
        {"id": "c-1", "article_id": "a-1", "text": "Gute Karte."},
    ]
    results = api.post("/v1/comments/batch", role="backend", json={"comments": comments}).json["results"]
    assert [r["status"] for r in results] == [422, 422]
    assert "more than once" in results[1]["error"]["errors"]["id"][0]
    assert rows()["comments"] == 0


def test_a_null_batch_item_fails_alone(api, article, rows):
    comments = [{"id": "c-1", "article_id": "a-1", "text": "Gute Karte."}, None]
    response = api.post("/v1/comments/batch", role="backend", json={"comments": comments})
    assert response.status_code == 200
    assert [r["status"] for r in response.json["results"]] == [201, 422]
    assert rows()["comments"] == 1


def test_batch_items_may_name_an_article_an_earlier_item_sent_inline(api, rows):
    inline = {"id": "a-new", "title": "Grafikkarten", "body": "Neue Grafikkarten sind teuer."}
    comments = [
        {"id": "c-1", "article": inline, "text": "Die Preise sind wirklich zu hoch."},
        {"id": "c-2", "article_id": "a-new", "text": "Grafikkarten waren früher billiger."},
    ]
    results = api.post("/v1/comments/batch", role="backend", json={"comments": comments}).json["results"]
    assert [r["status"] for r in results] == [201, 201]
    assert results[1]["comment"]["article_id"] == "a-new"
    assert rows()["comments"] == 2


def test_a_comment_cannot_move_to_another_article(api, article, rows):
    api.post("/v1/articles", role="backend", json={"id": "a-2", "title": "Andere", "body": "Text"})
    first = api.post("/v1/comments", role="backend",
                     json={"id": "c-1", "article_id": "a-1", "text": "Erste Fassung."})
    assert first.status_code == 201
    moved = api.post("/v1/comments", role="backend",
                     json={"id": "c-1", "article_id": "a-2", "text": "Zweite Fassung."})
    assert moved.status_code == 409
    assert moved.content_type == "application/problem+json"
    assert "belongs to article 'a-1'" in moved.json["detail"]
    assert rows()["comment_revisions"] == 1


@pytest.mark.parametrize("size", [0, MAX_BATCH + 1])
def test_batch_size_is_limited(api, article, rows, size):
    comments = [{"id": f"c-{i}", "article_id": "a-1", "text": "Hallo"} for i in range(size)]
    response = api.post("/v1/comments/batch", role="backend", json={"comments": comments})
    assert response.status_code == 422
    assert "comments" in response.json["errors"]
    assert rows()["comments"] == 0


def test_full_batch_is_accepted(api, article, rows):
    comments = [{"id": f"c-{i}", "article_id": "a-1", "text": f"Kommentar {i}"} for i in range(MAX_BATCH)]
    response = api.post("/v1/comments/batch", role="backend", json={"comments": comments})
    assert [r["status"] for r in response.json["results"]] == [201] * MAX_BATCH
    assert rows()["comments"] == MAX_BATCH
