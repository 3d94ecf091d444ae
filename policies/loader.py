"""Read a policy file and turn every problem in it into one :class:`PolicyError`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from marshmallow import ValidationError

from common.jsontext import JSONTextError, parse_json
from policies.policy import Policy, PolicyError
from policies.schema import PolicySchema

DEFAULT_SOURCE = "policies/default.json (package data)"


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a policy file.

    :param path: the JSON policy file; ``None`` loads the package's ``default.json``.
    :return: the parsed policy.
    :raise PolicyError: the file cannot be read, is not JSON or does not follow the schema.
    """
    if path is None:
        source = DEFAULT_SOURCE
        raw = resources.files(__package__).joinpath("default.json").read_bytes()
    else:
        source = str(path)
        raw = _read(Path(path))
    try:
        data = parse_json(raw)
    except JSONTextError as error:
        raise PolicyError(source, [f"the file {error}"]) from error
    try:
        return PolicySchema().load(data)
    except ValidationError as error:
        raise PolicyError(source, _problems(error.messages)) from error


#: A policy is a few kilobytes; reading stops after this many bytes, so that a wrong path
#: (``/dev/zero``, a log file) is refused at once instead of read without end.
MAX_POLICY_BYTES = 1_000_000


def _read(path: Path) -> bytes:
    """Return the file's bytes, or raise a PolicyError saying in plain words why not."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_POLICY_BYTES + 1)
        if len(raw) > MAX_POLICY_BYTES:
            raise PolicyError(str(path), [f"larger than {MAX_POLICY_BYTES:,} bytes; is this a policy file?"])
        return raw
    except FileNotFoundError as error:
        raise PolicyError(str(path), ["file not found"]) from error
    except IsADirectoryError as error:
        raise PolicyError(str(path), ["is a directory, not a file"]) from error
    except OSError as error:
        raise PolicyError(str(path), [f"cannot read the file: {error.strerror}"]) from error


def _problems(messages: dict | list, path: str = "") -> list[str]:
    """Flatten marshmallow's nested error messages into ``"a.b.c: message"`` lines."""
    if isinstance(messages, list):
        return [f"{path or '(top level)'}: {message}" for message in messages]
    problems = []
    for key, nested in messages.items():
        # "_schema" holds errors about the object itself rather than one of its fields.
        child = path if key == "_schema" else f"{path}.{key}" if path else str(key)
        problems.extend(_problems(nested, child))
    return problems
