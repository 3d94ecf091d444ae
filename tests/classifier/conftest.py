"""The classifier tests' fixtures: see fixtures.py."""

from tests.classifier.fixtures import *  # noqa: F403
