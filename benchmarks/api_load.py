"""Load test of ``POST /v1/comments``: the service against a bare Flask app, in one run.

For each database (SQLite, PostgreSQL) it starts, side by side on free loopback ports:

1. the bare app (``benchmarks/bare_app.py``: returns the JSON it got) under gunicorn with the
   service's ``gunicorn.conf.py`` and the same number of workers;
2. the service with ``moderation serve --workers N`` on a fresh database, with an API key made
   by the service's own ``create_key`` and the team's articles registered through the API;
3. with ``--unscored``, also the service with the classifier's answer fixed
   (``benchmarks/unscored_app.py``) on the same database: what the API costs without scoring;

warms both up and loads them in turns (bare, service, bare, service, ...) with the same wrk
script (``benchmarks/post_comments.lua``), so that load from elsewhere on a shared machine hits
both alike. The requests cycle through the held-out comments of ``training_data/`` with a new
comment id each, so that every request is a new comment that is scored and stored. It prints
throughput, the service/bare ratio, latency percentiles and the servers' CPU time per request,
as a table or as JSON (``--format json``). See ``benchmarks/README.md``.

Needs wrk (Debian: ``apt-get install wrk``), a trained model (``--model-dir``) and, for
PostgreSQL, the server at ``--postgres-url`` (a schema of its own is created and dropped).

    python benchmarks/api_load.py --model-dir /tmp/bench-models
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere in a source checkout

import sqlalchemy as sa  # noqa: E402

from classifier.data.teamdata import load_team_data  # noqa: E402
from classifier.serving.bundle import current_version  # noqa: E402
from common.settings import MODEL_DIR  # noqa: E402
from service import create_app  # noqa: E402
from service.cli import GUNICORN_CONF  # noqa: E402
from service.storage import db, make_engine, upgrade_database  # noqa: E402
from service.storage.keys import create_key  # noqa: E402

LUA_SCRIPT = HERE / "post_comments.lua"
TEAM_DATA = REPO / "training_data"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASES = ("sqlite", "postgresql")

RATIO_TARGET = 0.30  # service throughput / bare throughput
RATIO_GOAL = 0.50
P99_TARGET_MS = 15.0

START_TIMEOUT = 180.0  # seconds for a server to answer (the service loads its model first)
STOP_TIMEOUT = 30.0


class BenchmarkError(Exception):
    """The benchmark cannot run or a server misbehaved; the message says why."""


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests: int
    seconds: float
    requests_per_second: float
    mean_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int
    #: CPU time of the server's processes (gunicorn master and workers) per request: less
    #: noisy than throughput on a shared machine. None where /proc is not there.
    server_cpu_ms_per_request: float | None = None
    #: Throughput of each round, in order (one entry for a single run).
    rounds_requests_per_second: tuple[float, ...] = ()


@dataclass(frozen=True)
class Result:
    """Bare app and service measured on one database."""

    database: str
    bare: Load
    service: Load
    comments_stored: int
    unscored: Load | None = None  # the service without scoring (--unscored)

    @property
    def ratio(self) -> float:
        """Service throughput as a fraction of the bare app's."""
        return self.service.requests_per_second / self.bare.requests_per_second

    @property
    def unscored_ratio(self) -> float | None:
        """The unscored service's throughput as a fraction of the bare app's (--unscored)."""
        if self.unscored is None:
            return None
        return self.unscored.requests_per_second / self.bare.requests_per_second

    @property
    def meets_target(self) -> bool:
        """Throughput ratio and p99 within the targets, and every request answered 2xx."""
        clean = self.service.non_2xx == 0 and self.service.socket_errors == 0
        return clean and self.ratio >= RATIO_TARGET and self.service.p99_ms <= P99_TARGET_MS

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values."""
        return {
            "database": self.database,
            "bare": asdict(self.bare),
            "service": asdict(self.service),
            "ratio": round(self.ratio, 3),
            "unscored": asdict(self.unscored) if self.unscored else None,
            "unscored_ratio": None if self.unscored_ratio is None else round(self.unscored_ratio, 3),
            "comments_stored": self.comments_stored,
            "meets_target": self.meets_target,
        }


@dataclass(frozen=True)
class Settings:
    """How to load the servers."""

    seconds: int  # measured seconds per server, split into rounds
    rounds: int
    warmup_seconds: int
    connections: int
    threads: int
    workers: int
    gunicorn_args: str  # GUNICORN_CMD_ARGS for both servers, e.g. "--threads 1"


# --- the request mix -------------------------------------------------------------------------


def team_mix() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The team's articles (as POST /v1/articles bodies) and held-out comments (without ids)."""
    data = load_team_data(TEAM_DATA)
    articles = [{"id": a.id, "title": a.title, "body": a.body, "lang": a.lang} for a in data.articles.values()]
    comments = []
    for c in data.split("heldout"):
        comment = {"article_id": c.article_id, "text": c.text, "lang": c.lang}
        if c.parent_id is not None:
            comment["parent_id"] = c.parent_id  # unknown to the service: looked up, not found
        comments.append(comment)
    return articles, comments


def write_mix(path: Path, comments: Sequence[dict[str, Any]]) -> None:
    """Write the Lua file that post_comments.lua loads: the JSON bodies after their ``id``."""
    tails = (json.dumps(comment)[1:] for comment in comments)  # ASCII: non-ASCII is \u-escaped
    lines = ",\n".join(f'  "{_lua_escape(tail)}"' for tail in tails)
    path.write_text("return {\n" + lines + "\n}\n", encoding="ascii")


def _lua_escape(text: str) -> str:
    """``text`` (ASCII, no newlines) as the inside of a double-quoted Lua string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --- databases and keys ----------------------------------------------------------------------


@contextmanager
def fresh_database(kind: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    """An empty, migrated database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'moderation.sqlite'}"
        upgrade_database(url)
        yield url
        return
    schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _postgres_ddl(postgres_url, f"CREATE SCHEMA {schema}")
    try:
        url = f"{postgres_url}?options=-csearch_path%3D{schema}"
        upgrade_database(url)
        yield url
    finally:
        _postgres_ddl(postgres_url, f"DROP SCHEMA {schema} CASCADE")


def _postgres_ddl(url: str, statement: str) -> None:
    """Run one statement on the PostgreSQL server."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(statement))
    except sa.exc.OperationalError as error:
        raise BenchmarkError(f"PostgreSQL at {url} is unreachable: {error.orig}") from error
    finally:
        engine.dispose()


def backend_key(url: str) -> str:
    """A new backend API key in the database at ``url``, made by the service's own function."""
    app = create_app({"DATABASE_URL": url, "MODEL_PRELOAD": False})
    try:
        with app.app_context():
            _, key = create_key(db.session(), role="backend", name="api-load benchmark")
    finally:
        db.engine(app).dispose()
    return key


def count_comments(url: str) -> int:
    """How many comments the database holds."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM comments")).scalar_one()
    finally:
        engine.dispose()


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


BARE_APP = "bare_app:app"
UNSCORED_APP = "unscored_app:create_unscored_app()"  # the service with a fixed classifier answer


def gunicorn_command(app: str, port: int, workers: int) -> list[str]:
    """gunicorn serving ``app`` (a module beside this script) with the service's gunicorn.conf.py."""
    return [
        sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--pythonpath", f"{HERE},{REPO}", app,
    ]  # fmt: skip


def service_command(port: int, workers: int) -> list[str]:
    """``moderation serve`` on the loopback interface."""
    return [
        sys.executable, "-m", "moderation", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip


@dataclass(frozen=True)
class Server:
    """A running server: its base URL and its gunicorn master process."""

    url: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the master and its workers (Linux /proc); None elsewhere."""
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
            return sum(_cpu_seconds(int(pid)) for pid in [self.pid, *children])
        except (OSError, ValueError):
            return None


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@contextmanager
def running(name: str, command: list[str], env: dict[str, str], log: Path, ready: str) -> Iterator[Server]:
    """Start a server, wait until ``GET ready`` answers, yield it, stop it.

    :param command: the server command; its ``--port`` or ``--bind`` names the port.
    """
    base_url = f"http://127.0.0.1:{_port_of(command)}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_until_ready(name, process, base_url + ready, log)
        yield Server(base_url, process.pid)
    finally:
        _stop(process)


def _port_of(command: list[str]) -> str:
    """The port given on a server command line."""
    if "--port" in command:
        return command[command.index("--port") + 1]
    return command[command.index("--bind") + 1].rsplit(":", 1)[1]


def _wait_until_ready(name: str, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll ``url`` until it answers (any HTTP status but 5xx); fail if the server exits."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(f"the {name} server exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchmarkError(f"the {name} server did not answer {url} in {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn gracefully (SIGTERM), its whole process group if it does not stop."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only the server's processes
    except ProcessLookupError:
        return
    process.wait()


def _tail(log: Path, lines: int = 20) -> str:
    """The last lines of a server log."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def server_env(workdir: Path, name: str, gunicorn_args: str, **settings: str) -> dict[str, str]:
    """The environment of a server: an empty metrics folder of its own, MODERATION_* settings."""
    metrics_dir = workdir / f"metrics-{name}"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    env.update({f"MODERATION_{key}": value for key, value in settings.items()})
    if gunicorn_args:
        env["GUNICORN_CMD_ARGS"] = gunicorn_args
    return env


def register_articles(base_url: str, key: str, articles: Sequence[dict[str, Any]]) -> None:
    """POST each article to the service, as the site's backend would before its comments."""
    for article in articles:
        request = urllib.request.Request(
            base_url + "/v1/articles",
            data=json.dumps(article).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status not in (200, 201):
                raise BenchmarkError(f"POST /v1/articles answered {response.status}")


# --- wrk -------------------------------------------------------------------------------------


def require_wrk() -> str:
    """The path of wrk, or a BenchmarkError that says how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise BenchmarkError(
            "wrk is not installed; it is the load generator of this benchmark. "
            "Install it with: apt-get update && apt-get install -y wrk"
        )
    return path


def run_wrk(wrk: str, base_url: str, seconds: int, settings: Settings, mix: Path, tag: str, key: str) -> Load:
    """One wrk run against ``POST base_url/v1/comments``."""
    command = [
        wrk, f"-t{settings.threads}", f"-c{settings.connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(LUA_SCRIPT), base_url + "/v1/comments", "--", str(mix), tag, key,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise BenchmarkError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> Load:
    """The numbers of the ``WRK_RESULT {json}`` line that post_comments.lua's done() prints."""
    for line in output.splitlines():
        if line.startswith("WRK_RESULT "):
            raw = json.loads(line.removeprefix("WRK_RESULT "))
            seconds = raw["duration_us"] / 1e6
            return Load(
                requests=raw["requests"],
                seconds=round(seconds, 2),
                requests_per_second=round(raw["requests"] / seconds, 1),
                non_2xx=raw["non_2xx"],
                socket_errors=raw["socket_errors"],
                **{f"{name}_ms": round(raw[f"{name}_us"] / 1000, 2) for name in ("mean", "p50", "p90", "p99", "max")},
            )
    raise BenchmarkError(f"wrk printed no WRK_RESULT line:\n{output}")


def run_round(wrk: str, server: Server, seconds: int, settings: Settings, mix: Path, tag: str, key: str) -> Load:
    """One wrk run, with the CPU time the server used for it."""
    cpu_before = server.cpu_seconds()
    load = run_wrk(wrk, server.url, seconds, settings, mix, tag, key)
    cpu_after = server.cpu_seconds()
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None and load.requests:
        cpu_ms = round(1000 * (cpu_after - cpu_before) / load.requests, 2)
    return replace(load, server_cpu_ms_per_request=cpu_ms, rounds_requests_per_second=(load.requests_per_second,))


def combine(rounds: Sequence[Load]) -> Load:
    """The rounds of one server as one result.

    Requests and seconds add up; p50 and p90 are the median of the rounds', p99 and max the
    highest (the target must hold in every round); CPU per request is the total over all.
    """
    requests = sum(r.requests for r in rounds)
    seconds = sum(r.seconds for r in rounds)
    return Load(
        requests=requests,
        seconds=round(seconds, 2),
        requests_per_second=round(requests / seconds, 1),
        mean_ms=round(sum(r.mean_ms * r.requests for r in rounds) / max(requests, 1), 2),
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p90_ms=statistics.median(r.p90_ms for r in rounds),
        p99_ms=max(r.p99_ms for r in rounds),
        max_ms=max(r.max_ms for r in rounds),
        non_2xx=sum(r.non_2xx for r in rounds),
        socket_errors=sum(r.socket_errors for r in rounds),
        server_cpu_ms_per_request=_cpu_per_request(rounds),
        rounds_requests_per_second=tuple(r.requests_per_second for r in rounds),
    )


def _cpu_per_request(rounds: Sequence[Load]) -> float | None:
    """Server CPU milliseconds per request over all rounds; None if a round has no figure."""
    if any(r.server_cpu_ms_per_request is None for r in rounds):
        return None
    total = sum(r.server_cpu_ms_per_request * r.requests for r in rounds)  # type: ignore[operator]
    return round(total / max(1, sum(r.requests for r in rounds)), 2)


# --- one database, all databases -------------------------------------------------------------


def bench_database(kind: str, args: argparse.Namespace, settings: Settings, workdir: Path) -> Result:
    """Bare app and service (on a fresh ``kind`` database) under the same load, in turns.

    Both servers run side by side (the idle one costs nothing) and take turns: bare, service,
    bare, service, ... so that a burst of load from elsewhere on the machine hits both alike.
    """
    wrk = require_wrk()
    articles, comments = team_mix()
    mix = workdir / "mix.lua"
    write_mix(mix, comments)
    bare_env = server_env(workdir, f"bare-{kind}", settings.gunicorn_args)
    bare_command_line = gunicorn_command(BARE_APP, free_port(), settings.workers)
    with (
        running("bare", bare_command_line, bare_env, workdir / f"bare-{kind}.log", "/") as bare,
        fresh_database(kind, workdir, args.postgres_url) as database_url,
    ):
        key = backend_key(database_url)
        with ExitStack() as servers:

            def start(name: str, command: list[str]) -> Server:
                """A server of the service's code on this database, stopped when the block ends."""
                env = server_env(
                    workdir, f"{name}-{kind}", settings.gunicorn_args,
                    DATABASE_URL=database_url, MODEL_DIR=str(args.model_dir),
                )  # fmt: skip
                return servers.enter_context(running(name, command, env, workdir / f"{name}-{kind}.log", "/readyz"))

            service = start("service", service_command(free_port(), settings.workers))
            register_articles(service.url, key, articles)
            targets = {"bare": (bare, "no-key-needed"), "service": (service, key)}
            if args.unscored:
                unscored_server = start("unscored", gunicorn_command(UNSCORED_APP, free_port(), settings.workers))
                targets["unscored"] = (unscored_server, key)
            rounds = alternate(wrk, targets, settings, mix, kind)
        stored = count_comments(database_url)
    unscored = combine(rounds["unscored"]) if args.unscored else None
    return Result(kind, combine(rounds["bare"]), combine(rounds["service"]), stored, unscored)


def alternate(
    wrk: str, targets: dict[str, tuple[Server, str]], settings: Settings, mix: Path, kind: str
) -> dict[str, list[Load]]:
    """Warm each server up, then measure them in turns; every request a new comment id."""
    tag = uuid.uuid4().hex[:8]
    seconds = max(1, round(settings.seconds / settings.rounds))
    if settings.warmup_seconds:
        for name, (server, key) in targets.items():
            progress(f"{kind}: warming up {name}")
            run_wrk(wrk, server.url, settings.warmup_seconds, settings, mix, f"{tag}w{name[0]}", key)
    rounds: dict[str, list[Load]] = {name: [] for name in targets}
    for number in range(settings.rounds):
        for name, (server, key) in targets.items():
            progress(f"{kind}: round {number + 1}/{settings.rounds}, {name}")
            load = run_round(wrk, server, seconds, settings, mix, f"{tag}r{number}{name[0]}", key)
            rounds[name].append(load)
    return rounds


def progress(message: str) -> None:
    """Say what the benchmark is doing, on stderr."""
    print(f"[api_load] {message}", file=sys.stderr, flush=True)


def render_table(results: Sequence[Result], settings: Settings, comments: int) -> str:
    """The results as a plain-text table with one verdict line per database."""
    lines = [
        f"POST /v1/comments: wrk -t{settings.threads} -c{settings.connections}, {settings.seconds} s per server in "
        f"{settings.rounds} alternating rounds after {settings.warmup_seconds} s warm-up; gunicorn.conf.py, "
        f"{settings.workers} workers"
        + (f", GUNICORN_CMD_ARGS={settings.gunicorn_args!r}" if settings.gunicorn_args else "")
        + f"; {comments} held-out team comments, cycled, a new id per request",
        "",
        f"{'database':<11} {'app':<8} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'non-2xx':>7} {'CPU ms/req':>10}",
    ]
    for result in results:
        loads = [("bare", result.bare), ("service", result.service)]
        if result.unscored is not None:
            loads.append(("unscored", result.unscored))
        for name, load in loads:
            lines.append(
                f"{result.database:<11} {name:<8} {load.requests_per_second:>8.1f} {load.p50_ms:>7.2f} "
                f"{load.p90_ms:>7.2f} {load.p99_ms:>7.2f} {load.max_ms:>7.2f} {load.non_2xx:>7} "
                f"{_optional(load.server_cpu_ms_per_request):>10}"
            )
        verdict = "meets the target" if result.meets_target else "MISSES the target"
        lines.append(
            f"{'':<11} ratio {result.ratio:.2f} (target >= {RATIO_TARGET:.2f}, goal {RATIO_GOAL:.2f}), "
            f"p99 {result.service.p99_ms:.1f} ms (target <= {P99_TARGET_MS:.0f}): {verdict}"
        )
        if result.unscored is not None:
            lines.append(
                f"{'':<11} without scoring (unscored): ratio {result.unscored_ratio:.2f}, "
                f"p99 {result.unscored.p99_ms:.1f} ms"
            )
    return "\n".join(lines)


def _optional(value: float | None) -> str:
    """A number for the table, or a dash."""
    return "-" if value is None else f"{value:.2f}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=Path(MODEL_DIR.value()),
        help=MODEL_DIR.help(),
    )
    parser.add_argument("--databases", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("MODERATION_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="PostgreSQL server (a schema is created and dropped); default $MODERATION_BENCH_POSTGRES_URL "
        f"or {DEFAULT_POSTGRES}",
    )
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per server (default 20)")
    parser.add_argument("--rounds", type=int, default=4, help="turns the seconds are split into (default 4)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per server (default 3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of both servers (default 2)")
    parser.add_argument(
        "--gunicorn-args",
        default=os.environ.get("GUNICORN_CMD_ARGS", ""),
        help="extra gunicorn settings for both servers, e.g. '--threads 1' (default $GUNICORN_CMD_ARGS)",
    )
    parser.add_argument(
        "--unscored",
        action="store_true",
        help="also load the service with a fixed classifier answer (unscored_app.py): the API's cost without scoring",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a database misses the target")
    args = parser.parse_args(argv)
    args.model_dir = args.model_dir.expanduser().resolve()
    args.databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(args.databases) - set(DATABASES)
    if unknown or not args.databases:
        parser.error(f"--databases: use some of {', '.join(DATABASES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 when it ran (and, with --strict, every database met the target)."""
    args = parse_args(argv)
    settings = Settings(
        args.seconds, max(1, args.rounds), args.warmup, args.connections, args.threads, args.workers, args.gunicorn_args
    )
    try:
        require_wrk()
        if current_version(args.model_dir) is None:
            raise BenchmarkError(
                f"no trained model in {args.model_dir}; train one with "
                f"'moderation train --model-dir {args.model_dir}' or pass --model-dir"
            )
        with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
            results = [bench_database(kind, args, settings, Path(tmp)) for kind in args.databases]
    except BenchmarkError as error:
        print(f"api_load: {error}", file=sys.stderr)
        return 2
    comments = len(team_mix()[1])
    if args.format == "json":
        report = {
            "settings": asdict(settings) | {"comments_in_mix": comments, "cpus": os.cpu_count()},
            "targets": {"ratio": RATIO_TARGET, "ratio_goal": RATIO_GOAL, "p99_ms": P99_TARGET_MS},
            "results": [result.as_dict() for result in results],
        }
        print(json.dumps(report, indent=2))
    else:
        print(render_table(results, settings, comments))
    return 1 if args.strict and not all(r.meets_target for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
