"""The service tests' fixtures: see fixtures.py."""

from tests.service.fixtures import *  # noqa: F403
