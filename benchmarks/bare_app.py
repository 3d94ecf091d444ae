"""The baseline of ``api_load.py``: a bare Flask app that answers a POST with the JSON it got.

It is served by gunicorn with the service's own ``gunicorn.conf.py`` (same worker class,
threads and workers), so that the ratio of the two throughputs is what the service's work
costs: authentication, validation, scoring, the policy, the database and the response schema.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/v1/comments")
def echo():
    """Return the JSON body as it came, with the service's status for a new comment."""
    return jsonify(request.get_json()), 201
