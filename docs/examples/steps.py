"""The kinds of example: an HTTP request, a ``moderation`` command, and two tables built from
requests. Each knows how to run itself in a :class:`Session` and how to show what it got.

Requests go to a live service over HTTP; commands run in this process through click's test
runner, with the service's environment (its database, its model folder) and in a folder of
their own, as a user would run them in a second shell.
"""

from __future__ import annotations

import http.client
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from click.testing import CliRunner

from docs.examples.render import fenced, layout, shell_quote, stable, stable_text, table_cell
from moderation.cli import cli

#: A body that is not sent: a GET, or a request without one.
NO_BODY = object()
_VARIABLE = re.compile(r"\$([A-Z][A-Z0-9_]*)")
_HELP_WIDTH = 100  # click wraps help texts at the terminal's width; the docs' is fixed


class ExampleError(RuntimeError):
    """An example could not be run: the service or a command failed."""


@dataclass
class Session:
    """One run of the examples: the live service and what earlier steps left behind."""

    host: str
    port: int
    workdir: Path  # where commands run, as if in the user's second shell
    env: Mapping[str, str | None]  # the service's MODERATION_* settings, for commands
    model_version: str = ""
    variables: dict[str, str] = field(default_factory=dict)  # BACKEND_KEY, CURSOR, ...

    def substitute(self, text: str) -> str:
        """``text`` with ``$NAME`` replaced by the value an earlier step remembered."""
        return _VARIABLE.sub(lambda match: self.variables[match.group(1)], text)


class Step(Protocol):
    """Something the docs show: run once, in order, then rendered from what it returned."""

    def run(self, session: Session) -> Any:
        """Do it; the result is what :meth:`render` shows."""
        ...

    def render(self, result: Any, session: Session) -> str:
        """The Markdown that shows the step and its result."""
        ...


# --- HTTP ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the service answered."""

    status: int
    reason: str
    content_type: str
    body: Any  # decoded JSON, or the text of any other body


@dataclass(frozen=True)
class Call:
    """One request to the API, shown as a ``curl`` command and the answer.

    :param key: the variable holding the API key sent (``BACKEND_KEY``); None sends none.
    :param show: the answer's fields shown (the others are named below it), or a function
        picking what is shown; None shows the whole answer.
    :param remember: ``(variable, field)``: keep the answer's field for later paths.
    :param comment: a shell comment above the command.
    """

    method: str
    path: str
    key: str | None = None
    body: Any = NO_BODY
    raw: bytes | None = None  # sent as is instead of ``body`` (broken JSON, wrong encodings)
    content_type: str = "application/json"  # of a body sent
    headers: tuple[tuple[str, str], ...] = ()  # any more headers
    show: tuple[str, ...] | Callable[[Any], Any] | None = None
    remember: tuple[tuple[str, str], ...] = ()
    comment: str | None = None

    def run(self, session: Session) -> Answer:
        """Send the request and decode the answer."""
        payload = self.raw
        if payload is None and self.body is not NO_BODY:
            payload = json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        headers = dict(self.headers)
        if payload is not None:
            headers["Content-Type"] = self.content_type
        if self.key is not None:
            headers["Authorization"] = f"Bearer {session.variables[self.key]}"
        connection = http.client.HTTPConnection(session.host, session.port, timeout=60)
        try:
            connection.request(self.method, session.substitute(self.path), body=payload,
                               headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as error:
            raise ExampleError(f"{self.method} {self.path} got no answer: {error}") from error
        finally:
            connection.close()
        content_type = response.getheader("Content-Type", "")
        body: Any = content.decode("utf-8")
        if _is_json(content_type):
            body = json.loads(content)
        for variable, name in self.remember:
            session.variables[variable] = body[name]
        return Answer(response.status, response.reason, content_type, body)

    def command(self) -> str:
        """The request as a ``curl`` command."""
        url = f'"$API{self.path}"'
        lines = [f"curl -s {url}" if self.method == "GET" else f"curl -s -X {self.method} {url}"]
        if self.key is not None:
            lines.append(f'-H "Authorization: Bearer ${self.key}"')
        if self.body is not NO_BODY:
            lines.append(f"-H {shell_quote(f'Content-Type: {self.content_type}')}")
            lines.append("-d " + shell_quote(layout(self.body, 2)))
        command = " \\\n  ".join(lines)
        return command if self.comment is None else f"# {self.comment}\n{command}"

    def shown(self, answer: Answer, session: Session) -> tuple[Any, list[str]]:
        """The part of the answer the docs show, and the top-level fields left out."""
        body = stable(answer.body, session.model_version)
        if callable(self.show):
            return self.show(body), []
        if self.show is None or not isinstance(body, dict):
            return body, []
        return {name: body[name] for name in self.show}, [name for name in body if name not in self.show]

    def render(self, answer: Answer, session: Session) -> str:
        """The command, then the status, content type and body of the answer."""
        body, left_out = self.shown(answer, session)
        text = layout(body) if _is_json(answer.content_type) else str(body)
        response = f"HTTP/1.1 {answer.status} {answer.reason}\nContent-Type: {answer.content_type}\n\n{text}"
        parts = [fenced("bash", self.command()), fenced("http", response)]
        if left_out:
            parts.append("Not shown: " + ", ".join(f"`{name}`" for name in left_out) + ".")
        return "\n\n".join(parts)


def _is_json(content_type: str) -> bool:
    """Whether a Content-Type header announces JSON (``application/problem+json`` too)."""
    return content_type.split(";")[0].strip().endswith("json")


@dataclass(frozen=True)
class ErrorCase:
    """A request that is refused, and what it does wrong, in a few words."""

    when: str
    call: Call


@dataclass(frozen=True)
class ErrorTable:
    """Refused requests as a table of status, cause and the ``detail`` answered."""

    cases: tuple[ErrorCase, ...]

    def run(self, session: Session) -> list[Answer]:
        """Send every request."""
        return [case.call.run(session) for case in self.cases]

    def render(self, answers: list[Answer], session: Session) -> str:
        """One row per request: status, cause, ``detail``."""
        rows = ["| status | when | `detail` as answered |", "|---|---|---|"]
        for case, answer in zip(self.cases, answers, strict=True):
            detail = stable(answer.body, session.model_version)["detail"]
            rows.append(f"| {answer.status} | {table_cell(case.when)} | {table_cell(detail)} |")
        return "\n".join(rows)


@dataclass(frozen=True)
class RouteTable:
    """Every route of the OpenAPI document, with the keys it accepts, found by asking.

    Each route is called without a key and with a key of each role (a POST with an empty
    object, which is refused before anything is written): 401 and 403 mean "not with this key".

    :param keys: role -> the variable holding a key of that role.
    :param ids: path parameter -> an id that exists.
    :param extra: routes outside the OpenAPI document, ``(method, path, what it does)``.
    """

    keys: tuple[tuple[str, str], ...]
    ids: tuple[tuple[str, str], ...]
    extra: tuple[tuple[str, str, str], ...] = ()

    def run(self, session: Session) -> list[tuple[str, str, str, list[str] | None]]:
        """``(method, path, summary, roles)`` per route; roles None: no key needed."""
        spec = Call("GET", "/openapi.json").run(session).body
        routes = [(method.upper(), path, operation["summary"])
                  for path, operations in spec["paths"].items()
                  for method, operation in operations.items() if method != "parameters"]
        return [(method, path, summary, self._roles(session, method, path))
                for method, path, summary in routes + list(self.extra)]

    def _roles(self, session: Session, method: str, path: str) -> list[str] | None:
        """The roles whose keys the route accepts, or None if it needs no key."""
        concrete = path
        for name, value in self.ids:
            concrete = concrete.replace("{" + name + "}", value)
        body = {} if method == "POST" else NO_BODY

        def refused(key: str | None) -> bool:
            return Call(method, concrete, key=key, body=body).run(session).status in (401, 403)

        if not refused(None):
            return None
        return [role for role, key in self.keys if not refused(key)]

    def render(self, routes: list[tuple[str, str, str, list[str] | None]], session: Session) -> str:
        """One row per route."""
        rows = ["| route | what it does | keys that may call it |", "|---|---|---|"]
        for method, path, summary, roles in routes:
            who = "none needed" if roles is None else ", ".join(f"`{role}`" for role in roles)
            rows.append(f"| `{method} {path}` | {table_cell(summary)} | {who} |")
        return "\n".join(rows)


# --- the command line ----------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A ``moderation`` command, shown as typed and with what it prints.

    :param files: written into the command's folder first (name -> text).
    :param quiet: show the command only (its output is like one shown before).
    :param remember: a variable to keep the output's last line in (a new API key).
    :param spread: lay out each JSON line of the output over several lines, for reading.
    """

    args: tuple[str, ...]
    stdin: str | None = None
    files: tuple[tuple[str, str], ...] = ()
    quiet: bool = False
    remember: str | None = None
    spread: bool = False

    def run(self, session: Session) -> str:
        """Run the command in this process, in the session's folder and environment; what it
        printed (stdout and stderr, as a terminal shows them)."""
        for name, text in self.files:
            path = session.workdir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        previous = Path.cwd()
        os.chdir(session.workdir)
        try:
            result = CliRunner().invoke(cli, list(self.args), input=self.stdin, env=dict(session.env),
                                        prog_name="moderation", terminal_width=_HELP_WIDTH,
                                        max_content_width=_HELP_WIDTH)
        finally:
            os.chdir(previous)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise ExampleError(f"moderation {' '.join(self.args)} failed: {result.output}") from result.exception
        if self.remember is not None:
            session.variables[self.remember] = result.stdout.strip().splitlines()[-1]
        return result.output

    def typed(self) -> str:
        """The command line as the user types it."""
        command = "moderation " + " ".join(_shell_word(arg) for arg in self.args)
        if self.stdin is None:
            return f"$ {command}"
        return f"$ echo {shell_quote(self.stdin.rstrip())} \\\n  | {command}"

    def render(self, output: str, session: Session) -> str:
        """The command and its output, as on a console."""
        return fenced("console", self.console_lines(output, session))

    def console_lines(self, output: str, session: Session) -> str:
        """The command as typed and its output (unless ``quiet``), without the code fence."""
        lines = [self.typed()]
        if not self.quiet:
            lines.extend(_stable_line(line, session.model_version, self.spread)
                         for line in output.rstrip().splitlines())
        return "\n".join(lines)


@dataclass(frozen=True)
class Commands:
    """Several commands on one console."""

    commands: tuple[Command, ...]

    def run(self, session: Session) -> list[str]:
        """Run each command, in order."""
        return [command.run(session) for command in self.commands]

    def render(self, outputs: list[str], session: Session) -> str:
        """All commands and their outputs in one console block."""
        return fenced("console", "\n".join(
            command.console_lines(output, session) for command, output in zip(self.commands, outputs, strict=True)))


def _stable_line(line: str, model_version: str, spread: bool) -> str:
    """A line of output with its volatile values replaced; a JSON line stays one line of JSON
    unless ``spread``."""
    if line.startswith("{"):
        try:
            value = stable(json.loads(line), model_version)
            return layout(value) if spread else json.dumps(value, ensure_ascii=False)
        except json.JSONDecodeError:
            pass  # text that merely starts with a brace
    return stable_text(line, model_version)


def _shell_word(arg: str) -> str:
    """``arg`` quoted if a shell would split or expand it."""
    return arg if re.fullmatch(r"[A-Za-z0-9_./:=@%+-]+", arg) else shell_quote(arg)


# --- blocks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """Steps shown together between one pair of markers, ``<!-- example: NAME -->``."""

    name: str
    steps: Sequence[Step]

    def run(self, session: Session) -> list[Any]:
        """Run the steps in order."""
        return [step.run(session) for step in self.steps]

    def render(self, results: list[Any], session: Session) -> str:
        """The steps' Markdown, one after the other."""
        return "\n\n".join(step.render(result, session) for step, result in zip(self.steps, results, strict=True))
