"""The service tests' fixtures: see fixtures.py."""

from tests.service.fixtures import *  # noqa: F403
from tests.service.workspace_fixtures import *  # noqa: F403
