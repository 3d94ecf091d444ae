"""The OpenAPI document and the human-readable docs, which must work without internet access."""

from __future__ import annotations

import re

import pytest

from service.openapi_dump import COMMAND, DOCUMENT, document_text
from service.problems import PROBLEM_JSON

OPERATIONS = {
    "/v1/articles": {"post"},
    "/v1/articles/{article_id}": {"get"},
    "/v1/comments": {"post"},
    "/v1/comments/batch": {"post"},
    "/v1/comments/{comment_id}": {"get"},
    "/v1/comments/{comment_id}/decision": {"post"},
    "/v1/queue": {"get"},
    "/healthz": {"get"},
    "/readyz": {"get"},
    "/metrics": {"get"},
}


@pytest.fixture
def spec(client) -> dict:
    """The OpenAPI document the app serves."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json


def test_document_lists_every_route(spec):
    assert {path: set(ops) - {"parameters"} for path, ops in spec["paths"].items()} == OPERATIONS


def test_document_is_the_committed_one(spec):
    # Compared as text, so that regenerating the file after a wanted change leaves no other diff.
    assert document_text(spec) == DOCUMENT.read_text(encoding="utf-8"), (
        f"The OpenAPI document the app serves differs from {DOCUMENT}. If the change is meant, "
        f"regenerate the file with '{COMMAND}' and commit it with the change."
    )


def test_document_has_the_schemas_as_components(spec):
    schemas = spec["components"]["schemas"]
    for name in ("CommentInput", "Comment", "CommentDetail", "Reason", "Evidence", "Problem", "QueuePage"):
        assert name in schemas
    comment = schemas["Comment"]["properties"]
    for key in ("decision", "status", "reasons", "scores", "statement_of_reasons", "model_version"):
        assert key in comment
    assert set(schemas["CommentInput"]["required"]) == {"id", "text"}


def test_post_comment_is_documented_as_it_behaves(spec, api):
    operation = spec["paths"]["/v1/comments"]["post"]
    assert {"200", "201", "401", "403", "409", "422"} <= set(operation["responses"])
    assert operation["security"] == [{"bearerAuth": []}]
    assert operation["summary"] == "Moderate and store a comment"
    api.post_article()
    assert api.post_comment().status_code == 201
    assert api.post_comment(article_id="a-404").status_code == 422


def test_errors_are_documented_as_problem_details(spec):
    responses = spec["components"]["responses"]
    for name in ("UNPROCESSABLE_ENTITY", "UNAUTHORIZED", "NOT_FOUND", "DEFAULT_ERROR"):
        content = responses[name]["content"]
        assert list(content) == [PROBLEM_JSON]
        assert content[PROBLEM_JSON]["schema"]["$ref"].endswith("/Problem")


def test_only_health_routes_are_open(spec):
    open_routes = {
        path
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method != "parameters" and "security" not in op
    }
    assert open_routes == {"/healthz", "/readyz", "/metrics"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_loads_everything_from_the_service(client):
    response = client.get("/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "openapi.json" in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    for url in assets:
        assert not re.match(r"^(https?:)?//", url), f"{url} needs the internet"
        with client.get(url) as asset:  # a file response stays open until closed
            assert asset.status_code == 200, url
    assert "validatorUrl: null" in page  # the default validator badge calls swagger.io


def test_docs_assets_cannot_escape_their_folder(client):
    assert client.get("/docs/assets/../../service/api.py").status_code == 404
