"""End-to-end tests use the service's app and the classifier's trained bundles."""

from tests.classifier.fixtures import *  # noqa: F403
from tests.service.fixtures import *  # noqa: F403
from tests.service.workspace_fixtures import *  # noqa: F403
