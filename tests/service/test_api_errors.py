"""Bad input and errors: every one is problem+json that names what was wrong, never a 500."""

from __future__ import annotations

import base64
import gzip
import io

import pytest

from service.problems import PROBLEM_JSON


def assert_problem(response, status: int, *, field: str | None = None) -> dict:
    """Check an RFC 9457 body with ``status``, naming ``field`` if given; return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM_JSON
    body = response.json
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.path
    if field is not None:
        assert field in body["errors"], body
        assert field in body["detail"]
    return body


def test_unknown_route_is_a_404_problem(client):
    assert_problem(client.get("/v1/nothing"), 404)


def test_wrong_method_is_a_405_problem_with_allow(api):
    response = api.client.delete("/v1/comments")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_unhandled_exception_is_a_500_problem_without_details(app, api, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("service.articles.get_article", broken)
    body = assert_problem(api.get("/v1/articles/a-1", role="backend"), 500)
    assert "secret internals" not in body["detail"]


# --- bodies that are not JSON at all -------------------------------------------------------

BODIES = [
    pytest.param(b'{"id": "c-1", "text": ', "application/json", 400, "not valid JSON", id="malformed"),
    pytest.param(b"", "application/json", 400, "empty", id="empty"),
    pytest.param(b'{"text": "\xff\xfe"}', "application/json", 400, "UTF-8", id="invalid-utf8"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "nested", id="deep"),
    pytest.param(b'{"id": "c-1"}', "text/plain", 415, "application/json", id="text-plain"),
    pytest.param(b"id=c-1", "application/x-www-form-urlencoded", 415, "JSON", id="form"),
]


@pytest.mark.parametrize(("body", "content_type", "status", "says"), BODIES)
@pytest.mark.parametrize("path", ["/v1/comments", "/v1/articles", "/v1/comments/batch"])
def test_unusable_body(api, rows, path, body, content_type, status, says):
    api.post_article()
    before = rows()
    response = api.post(path, role="backend", data=body, content_type=content_type)
    assert says in assert_problem(response, status)["detail"]
    assert rows() == before


@pytest.mark.parametrize("path", ["/v1/comments", "/v1/articles", "/v1/comments/batch"])
def test_a_compressed_body_is_refused_by_its_encoding_not_read_as_broken_utf8(api, rows, path):
    api.post_article()
    before = rows()
    body = gzip.compress(b'{"id": "c-1", "article_id": "a-1", "text": "Gut erklaert."}')
    response = api.post(path, role="backend", data=body, content_type="application/json",
                        environ_base={"HTTP_CONTENT_ENCODING": "gzip"})
    assert "Content-Encoding 'gzip' is not supported" in assert_problem(response, 415)["detail"]
    assert rows() == before


def test_body_over_the_limit_is_413(app, api, rows):
    api.post_article()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    before = rows()
    response = api.post_comment(text="x" * 2000)
    assert str(1000) in assert_problem(response, 413)["detail"]
    assert rows() == before


def test_chunked_body_over_the_limit_is_413_not_cut_off(app, api, rows):
    api.post_article()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    before = rows()
    # A valid object followed by padding: cut off at the limit, it would still parse.
    body = b'{"id": "c-1", "article_id": "a-1", "text": "Gute Karte."}' + b" " * 2000
    # As gunicorn passes a chunked body: no length, a stream the server ends.
    response = api.client.post(
        "/v1/comments", headers={**api.headers("backend"), "Transfer-Encoding": "chunked"},
        input_stream=io.BytesIO(body), content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert str(1000) in assert_problem(response, 413)["detail"]
    assert rows() == before


def test_number_with_too_many_digits_is_400(api, rows):
    api.post_article()
    before = rows()
    body = b'{"id": "c-1", "article_id": "a-1", "text": ' + b"1" * 5000 + b"}"
    response = api.post("/v1/comments", role="backend", data=body, content_type="application/json")
    assert "too many digits" in assert_problem(response, 400)["detail"]
    assert rows() == before


def test_missing_content_type_is_415(api):
    response = api.client.post("/v1/comments", headers=api.headers("backend"), data=b"{}")
    assert_problem(response, 415)


# --- JSON that does not follow the schema --------------------------------------------------

COMMENTS = [
    pytest.param({"id": ...}, "id", id="no-id"),
    pytest.param({"id": 17}, "id", id="id-not-string"),
    pytest.param({"id": ""}, "id", id="id-empty"),
    pytest.param({"id": "a/b"}, "id", id="id-slash"),
    pytest.param({"id": "x" * 129}, "id", id="id-too-long"),
    pytest.param({"id": "c-1\n"}, "id", id="id-trailing-newline"),
    pytest.param({"text": None}, "text", id="text-null"),
    pytest.param({"text": ""}, "text", id="text-empty"),
    pytest.param({"text": "  \n\t"}, "text", id="text-blank"),
    pytest.param({"text": "\u200b\u2060 \ufeff"}, "text", id="text-invisible"),
    pytest.param({"parent_id": "c-1"}, "parent_id", id="own-parent"),
    pytest.param({"text": ["Hallo"]}, "text", id="text-list"),
    pytest.param({"text": "Null\u0000Byte"}, "text", id="text-nul"),
    pytest.param({"text": "half \ud800 surrogate"}, "text", id="text-surrogate"),
    pytest.param({"article_id": None}, "article_id", id="article-id-null"),
    pytest.param({"article_id": "no-such-article"}, "article_id", id="unknown-article"),
    pytest.param({"article": {"id": "a-2", "title": "T"}}, "article_id", id="both-article-kinds"),
    pytest.param({"article_id": ..., "article": ...}, "article_id", id="neither-article-kind"),
    pytest.param({"article_id": ..., "article": {"id": "a-2"}}, "article.title", id="inline-no-title"),
    pytest.param({"article_id": ..., "article": {"id": "a-2", "title": "T", "url": "https://example.org/?q=\u0000"}},
                 "article.url", id="inline-url-nul"),
    pytest.param({"parent_id": 5}, "parent_id", id="parent-not-string"),
    pytest.param({"lang": "deutsch"}, "lang", id="lang-not-a-tag"),
    pytest.param({"colour": "red"}, "colour", id="unknown-field"),
]


@pytest.mark.parametrize(("change", "field"), COMMENTS)
def test_invalid_comment_is_422_naming_the_field(api, rows, change, field):
    api.post_article()
    comment = {"id": "c-1", "article_id": "a-1", "text": "Gute Karte."}
    comment.update({k: v for k, v in change.items() if v is not ...})
    for key in [k for k, v in change.items() if v is ...]:
        comment.pop(key, None)
    before = rows()
    response = api.post("/v1/comments", role="backend", json=comment)
    assert_problem(response, 422, field=field)
    assert rows() == before


def test_comment_longer_than_the_configured_limit_is_422(app, api, rows):
    api.post_article()
    app.config["MAX_COMMENT_CHARS"] = 10
    before = rows()
    detail = assert_problem(api.post_comment(text="x" * 11), 422, field="text")["detail"]
    assert "10 characters" in detail
    assert rows() == before
    assert api.post_comment(text="x" * 10).status_code == 201


def test_unknown_article_says_so(api):
    detail = assert_problem(api.post_comment(article_id="a-404"), 422, field="article_id")["detail"]
    assert "no article with id 'a-404'" in detail


@pytest.mark.parametrize("body", [b'["a", "b"]', b'"text"', b"42", b"null"])
def test_body_that_is_not_an_object_is_422_saying_so(api, body):
    response = api.post("/v1/comments", role="backend", data=body, content_type="application/json")
    problem = assert_problem(response, 422, field="_schema")
    assert "Must be a JSON object" in problem["detail"]


ARTICLES = [
    pytest.param({"title": ""}, "title", id="title-empty"),
    pytest.param({"title": 3}, "title", id="title-number"),
    pytest.param({"url": "not a url"}, "url", id="url"),
    pytest.param({"url": "ftp://example.org/x"}, "url", id="url-scheme"),
    pytest.param({"published_at": "yesterday"}, "published_at", id="date"),
    pytest.param({"published_at": "0001-01-01T00:00:00+05:00"}, "published_at", id="date-before-utc"),
    pytest.param({"body": "\u0000"}, "body", id="body-nul"),
    # A valid URL may hold them in its path, query or fragment.
    pytest.param({"url": "https://example.org/a\u0000b"}, "url", id="url-nul"),
    pytest.param({"url": "https://example.org/#\ud800"}, "url", id="url-surrogate"),
]


@pytest.mark.parametrize(("change", "field"), ARTICLES)
def test_invalid_article_is_422_naming_the_field(api, rows, change, field):
    article = {"id": "a-1", "title": "Grafikkarten", **change}
    before = rows()
    assert_problem(api.post("/v1/articles", role="backend", json=article), 422, field=field)
    assert rows() == before


DECISIONS = [
    pytest.param({}, "decision", id="missing"),
    pytest.param({"decision": "hold"}, "decision", id="hold-is-not-a-moderator-decision"),
    pytest.param({"decision": "approve", "reason_code": "RUDE"}, "reason_code", id="unknown-code"),
    pytest.param({"decision": "approve", "version": "2"}, "version", id="version-string"),
    pytest.param({"decision": "approve", "version": 0}, "version", id="version-zero"),
    pytest.param({"decision": "approve", "note": "x" * 2001}, "note", id="note-too-long"),
]


@pytest.mark.parametrize(("body", "field"), DECISIONS)
def test_invalid_decision_is_422_naming_the_field(api, rows, body, field):
    api.post_article()
    api.post_comment()
    before = rows()
    response = api.post("/v1/comments/c-1/decision", role="moderator", json=body)
    assert_problem(response, 422, field=field)
    assert rows() == before


QUERIES = [
    pytest.param("status=pending", "status", id="status"),
    pytest.param("limit=0", "limit", id="limit-zero"),
    pytest.param("limit=many", "limit", id="limit-word"),
    pytest.param("reason=RUDE", "reason", id="reason"),
    pytest.param("cursor=not-a-cursor", "cursor", id="cursor"),
    pytest.param("cursor=WzEsMiwzXQ", "cursor", id="cursor-wrong-content"),  # [1,2,3]
    # [0.5, "0001-01-01T00:00:00+05:00", "x"]: a time with no UTC equivalent
    pytest.param("cursor=WzAuNSwgIjAwMDEtMDEtMDFUMDA6MDA6MDArMDU6MDAiLCAieCJd", "cursor", id="cursor-time"),
    # [0.5, "2026-01-01T00:00:00+00:00", "a\ud800b"]: an id no comment can have
    pytest.param("cursor=" + base64.urlsafe_b64encode(b"[" * 1000).decode(), "cursor", id="cursor-deep"),
    pytest.param("cursor=WzAuNSwgIjIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiLCAiYVx1ZDgwMGIiXQ", "cursor",
                 id="cursor-surrogate-id"),
]


@pytest.mark.parametrize(("query", "field"), QUERIES)
def test_invalid_queue_query_is_422_naming_the_field(api, query, field):
    assert_problem(api.get(f"/v1/queue?{query}", role="moderator"), 422, field=field)


def test_unknown_comment_is_404(api):
    assert_problem(api.get("/v1/comments/c-404", role="backend"), 404)
    decision = api.post("/v1/comments/c-404/decision", role="moderator", json={"decision": "reject"})
    assert "c-404" in assert_problem(decision, 404)["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/comments/a%00b"), ("GET", "/v1/articles/%C3%A4"), ("POST", "/v1/comments/-x/decision")],
)
def test_path_with_an_impossible_id_is_404(api, method, path):
    body = {"decision": "approve"} if method == "POST" else None
    response = api.client.open(path, method=method, headers=api.headers("admin"), json=body)
    assert "There is nothing at" in assert_problem(response, 404)["detail"]


def test_unknown_article_is_404(api):
    assert "a-404" in assert_problem(api.get("/v1/articles/a-404", role="backend"), 404)["detail"]
