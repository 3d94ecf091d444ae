"""Fixtures live with the tests of their layer; this makes them available to every layer.

``tests/service/fixtures.py``: the app on SQLite and PostgreSQL, a fake model, requests with keys.
``tests/classifier/fixtures.py``: a small model trained once per session and tiny corpora.
"""

pytest_plugins = ["tests.service.fixtures", "tests.service.workspace_fixtures", "tests.classifier.fixtures"]
