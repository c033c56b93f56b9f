"""The Dockerfile, compose.yaml, the env file example and the systemd unit in docs/deploy.md,
checked without a container engine: every BRIEFBOT_ variable they set is a config key that the
project's own loader takes, every briefbot command they run is one the CLI knows, and compose's
sequence (`db upgrade`, then `run`) works against a real PostgreSQL, outside a container."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.cli import build_parser
from bot.config import ENV_PREFIX, find_config_path, load_config

ROOT = Path(__file__).parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / "deploy" / "briefbot.env.example"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
# What compose would fill in from .env; a value no default has, to see it land.
COMPOSE_VARIABLES = {"POSTGRES_PASSWORD": "pw-from-dot-env"}
SLIM_PYTHON = re.compile(r"python:3\.1[12]-slim(-\w+)?")


# --- reading the files ----------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") and not pending:
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole:
            keyword, _, arguments = whole.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, split at FROM (each stage starts with its FROM)."""
    found: list[list[tuple[str, str]]] = []
    for keyword, arguments in instructions:
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, arguments))
    return found


def build_arguments(instructions: list[tuple[str, str]]) -> dict[str, str]:
    """The ARG defaults declared before the first FROM."""
    defaults: dict[str, str] = {}
    for keyword, arguments in instructions:
        if keyword == "FROM":
            break
        if keyword == "ARG":
            name, _, default = arguments.partition("=")
            defaults[name] = default
    return defaults


def env_pairs(arguments: str) -> dict[str, str]:
    """`ENV A=1 B="two words"` as {A: 1, B: two words} (the key=value form only)."""
    pairs = {}
    for word in shlex.split(arguments):
        name, separator, value = word.partition("=")
        assert separator, f"ENV {arguments!r}: write ENV NAME=VALUE"
        pairs[name] = value
    return pairs


def exec_form(arguments: str) -> list[str]:
    words = json.loads(arguments)
    assert isinstance(words, list) and all(isinstance(word, str) for word in words), arguments
    return words


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:?error} and ${NAME:-default}, from `variables`."""

    def one(match: re.Match[str]) -> str:
        name, operator, fallback = match.group(1), match.group(2), match.group(3)
        if name in variables:
            return variables[name]
        assert operator in (":-", "-"), f"{match.group(0)}: not set for the test"
        return fallback

    return re.sub(r"\$\{(\w+)(?:(:?[?-])([^}]*))?\}", one, value)


def service_environment(service: Mapping[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(entry.partition("=")[::2] for entry in environment)
    return {
        str(name): interpolate(str(value), COMPOSE_VARIABLES) for name, value in environment.items()
    }


def env_file_variables(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """The BRIEFBOT_ variables of an env file: those set, and those shown commented out."""
    active: dict[str, str] = {}
    commented: dict[str, str] = {}
    for line in text.splitlines():
        match = re.fullmatch(r"(#\s*)?(BRIEFBOT_[A-Z0-9_]+)=(.*)", line.strip())
        if match:
            (commented if match.group(1) else active)[match.group(2)] = match.group(3)
    return active, commented


def systemd_unit(doc: str) -> dict[str, list[str]]:
    """The keys of the ```ini block in docs/deploy.md that holds the [Service] section."""
    blocks = re.findall(r"```ini\n(.*?)```", doc, re.DOTALL)
    unit = next(block for block in blocks if "[Service]" in block)
    keys: dict[str, list[str]] = {}
    for line in unit.splitlines():
        name, separator, value = line.partition("=")
        if separator and not line.startswith(("#", ";", "[")):
            keys.setdefault(name.strip(), []).append(value.strip())
    return keys


def dockerignore_keeps(patterns: Iterable[str], path: str) -> bool:
    """Whether the build context keeps `path` (a top-level name), last matching pattern wins."""
    kept = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        if fnmatch.fnmatch(path, pattern.removeprefix("!").rstrip("/")):
            kept = negated
    return kept


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def final_stage(dockerfile: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return stages(dockerfile)[-1]


def instruction(stage: list[tuple[str, str]], keyword: str) -> str:
    found = [arguments for name, arguments in stage if name == keyword]
    assert found, f"no {keyword} in the Dockerfile's final stage"
    return found[-1]


def docker_environment(dockerfile: list[tuple[str, str]]) -> dict[str, str]:
    environment: dict[str, str] = {}
    for keyword, arguments in final_stage(dockerfile):
        if keyword == "ENV":
            environment.update(env_pairs(arguments))
    return environment


# --- the variables are config keys ------------------------------------------------------------


def briefbot_keys(environ: Mapping[str, str]) -> dict[str, str]:
    """The BRIEFBOT_SECTION__KEY variables (BRIEFBOT_CONFIG, a file name, is not one)."""
    return {
        name: value
        for name, value in environ.items()
        if name.startswith(ENV_PREFIX) and "__" in name
    }


def assert_variables_land(environ: Mapping[str, str], where: str) -> None:
    """Load the config from these variables alone: no error, and each value where it belongs."""
    variables = briefbot_keys(environ)
    config = load_config(None, variables)
    for name, raw in variables.items():
        section, _, key = name.removeprefix(ENV_PREFIX).lower().partition("__")
        value = getattr(getattr(config, section), key)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, tuple):
            assert list(value) == json.loads(raw), f"{where}: {name}"
        elif hasattr(value, "strftime"):
            assert value.strftime("%H:%M") == raw, f"{where}: {name}"
        else:
            assert str(value) == raw, f"{where}: {name}={raw!r} became {value!r}"
    for name, value in environ.items():
        if name == "BRIEFBOT_CONFIG":
            assert find_config_path(None, {name: value}) == Path(value)
        elif name.startswith(ENV_PREFIX):
            assert "__" in name, f"{where}: {name} is no BRIEFBOT_<SECTION>__<KEY> variable"


def test_the_dockerfile_sets_only_real_config_keys(dockerfile: list[tuple[str, str]]) -> None:
    environment = docker_environment(dockerfile)
    assert len(briefbot_keys(environment)) >= 3
    assert_variables_land(environment, "Dockerfile")


def test_compose_sets_only_real_config_keys(
    compose: dict[str, Any], dockerfile: list[tuple[str, str]]
) -> None:
    for name, service in compose["services"].items():
        if service.get("image", "").startswith("briefbot") or "build" in service:
            # What the container sees: the image's ENV, then what compose sets over it.
            environ = {**docker_environment(dockerfile), **service_environment(service)}
            assert_variables_land(environ, f"compose.yaml service {name}")


def test_the_env_file_example_sets_only_real_config_keys() -> None:
    active, commented = env_file_variables(ENV_EXAMPLE.read_text(encoding="utf-8"))
    assert len(commented) >= 5
    assert_variables_land(active, f"{ENV_EXAMPLE.name} (as it is)")
    # Uncommented, as an operator fills it in: every line shown is a key the loader takes.
    assert_variables_land({**active, **commented}, f"{ENV_EXAMPLE.name} (all set)")


def test_the_systemd_unit_sets_only_real_config_keys() -> None:
    unit = systemd_unit(DEPLOY_DOC.read_text(encoding="utf-8"))
    environ = dict(
        word.partition("=")[::2]
        for line in unit.get("Environment", [])
        for word in shlex.split(line)
    )
    assert_variables_land(environ, "the systemd unit in docs/deploy.md")


# --- the commands exist ---------------------------------------------------------------------


def assert_command_exists(words: list[str], where: str) -> None:
    try:
        parsed = build_parser().parse_args(words)
    except SystemExit:
        pytest.fail(f"{where}: `briefbot {' '.join(words)}` is not a briefbot command")
    assert callable(getattr(parsed, "handler", None)), f"{where}: {words}"


def test_the_image_runs_briefbot_run_by_default(dockerfile: list[tuple[str, str]]) -> None:
    stage = final_stage(dockerfile)
    assert exec_form(instruction(stage, "ENTRYPOINT")) == ["briefbot"]
    command = exec_form(instruction(stage, "CMD"))
    assert command == ["run"]
    assert_command_exists(command, "Dockerfile CMD")


def test_compose_runs_db_upgrade_once_then_run(compose: dict[str, Any]) -> None:
    services = compose["services"]
    migrate, app = services["migrate"], services["briefbot"]
    assert migrate["command"] == ["db", "upgrade"] and migrate["restart"] == "no"
    assert app["command"] == ["run"]
    for name, service in services.items():
        if "command" in service:
            assert_command_exists(service["command"], f"compose.yaml service {name}")
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_systemd_unit_upgrades_the_database_before_it_runs() -> None:
    unit = systemd_unit(DEPLOY_DOC.read_text(encoding="utf-8"))
    (before,) = unit["ExecStartPre"]
    (start,) = unit["ExecStart"]
    for line, expected in ((before, ["db", "upgrade"]), (start, ["run"])):
        program, *words = shlex.split(line)
        assert Path(program).name == "briefbot" and words == expected, line
        assert_command_exists(words, "the systemd unit")
    assert unit["Restart"] == ["on-failure"]
    assert unit["User"] and unit["User"] != ["root"]
    assert unit["EnvironmentFile"]


# --- the image and the services -------------------------------------------------------------


def test_the_image_is_built_in_stages_on_slim_python_and_runs_unprivileged(
    dockerfile: list[tuple[str, str]],
) -> None:
    defaults = build_arguments(dockerfile)
    bases = [
        re.sub(r"\$\{?(\w+)\}?", lambda m: defaults[m.group(1)], stage[0][1].split()[0])
        for stage in stages(dockerfile)
    ]
    assert len(bases) >= 2 and all(SLIM_PYTHON.fullmatch(base) for base in bases), bases
    stage = final_stage(dockerfile)
    user = instruction(stage, "USER")
    assert user not in ("root", "0") and not user.startswith(("root:", "0:"))
    copied = [arguments for keyword, arguments in stage if keyword == "COPY"]
    assert any(arguments.startswith("--from=") for arguments in copied)
    assert all(arguments.startswith("--from=") for arguments in copied)  # no sources in the image


def test_the_build_context_keeps_what_the_dockerfile_copies(
    dockerfile: list[tuple[str, str]],
) -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = [
        word
        for keyword, arguments in stages(dockerfile)[0]
        if keyword == "COPY"
        for word in arguments.split()[:-1]
    ]
    assert "bot" in sources and "pyproject.toml" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert dockerignore_keeps(patterns, source), f".dockerignore leaves out {source}"
    for secret in (".env", "config.toml", ".git", ".venv", "briefbot.db", "tests"):
        assert not dockerignore_keeps(patterns, secret), f".dockerignore lets {secret} in"


def test_the_healthcheck_asks_healthz_on_the_metrics_port(
    dockerfile: list[tuple[str, str]], compose: dict[str, Any]
) -> None:
    check = instruction(final_stage(dockerfile), "HEALTHCHECK")
    assert "127.0.0.1" in check and "/healthz" in check and "BRIEFBOT_METRICS__PORT" in check
    environment = docker_environment(dockerfile)
    port = environment["BRIEFBOT_METRICS__PORT"]
    assert f"'{port}'" in check  # its fallback is the image's port
    assert environment["BRIEFBOT_METRICS__HOST"] == "0.0.0.0"  # reachable from outside
    published = compose["services"]["briefbot"]["ports"]
    assert any(str(entry).endswith(f":{port}") for entry in published), published


def test_postgresql_keeps_its_data_in_a_volume_and_reports_health(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    volume, _, target = postgres["volumes"][0].partition(":")
    assert volume in compose["volumes"] and target == "/var/lib/postgresql/data"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    url = make_url(service_environment(compose["services"]["briefbot"])["BRIEFBOT_DATABASE__URL"])
    environment = service_environment(postgres)
    assert url.host == "postgres" and url.password == environment["POSTGRES_PASSWORD"]
    assert (url.username, url.database) == (
        environment["POSTGRES_USER"],
        environment["POSTGRES_DB"],
    )


def test_the_briefbot_services_read_secrets_from_the_env_file(compose: dict[str, Any]) -> None:
    for name in ("migrate", "briefbot"):
        env_file = compose["services"][name]["env_file"]
        assert env_file in (".env", [".env"]), name
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert "POSTGRES_PASSWORD=" in text and ".env" in text


# --- the same sequence against a real PostgreSQL ----------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def briefbot_command() -> list[str]:
    script = Path(sys.executable).with_name("briefbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


class Output:
    """What a child process writes, read as it comes, so that a test can wait for a line."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        try:
            async for raw in stream:
                self.lines.append(raw.decode(errors="replace").rstrip())
                async with self._changed:
                    self._changed.notify_all()
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def wait_for(self, *texts: str, within: float) -> str:
        """The first line holding any of `texts`; fails if the stream ends or `within` seconds
        pass first."""

        def found() -> str | None:
            return next((line for line in self.lines if any(t in line for t in texts)), None)

        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(lambda: found() is not None or self._reader.done())
        except TimeoutError:
            pytest.fail(f"no line with {texts} in {within} s:\n" + "\n".join(self.lines))
        line = found()
        assert line is not None, f"ended with no line holding {texts}:\n" + "\n".join(self.lines)
        return line

    async def finished(self) -> str:
        await self._reader
        return "\n".join(self.lines)


@contextlib.asynccontextmanager
async def started(command: list[str], env: Mapping[str, str], cwd: Path) -> AsyncIterator[Any]:
    process = await asyncio.create_subprocess_exec(
        *command,
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    try:
        yield process, Output(process.stdout)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def run_environment(
    compose: dict[str, Any], dockerfile: list[tuple[str, str]], **over: str
) -> dict[str, str]:
    """This machine's environment less any BRIEFBOT_ setting, then what the container would get
    (the image's ENV, compose's environment), then `over`."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith(ENV_PREFIX)}
    environ.update(docker_environment(dockerfile))
    environ.update(service_environment(compose["services"]["briefbot"]))
    environ.update(over)
    return environ


async def test_db_upgrade_then_run_against_postgresql(
    compose: dict[str, Any], dockerfile: list[tuple[str, str]], pg_url: str, tmp_path: Path
) -> None:
    port = free_port()
    environ = run_environment(
        compose,
        dockerfile,
        BRIEFBOT_DATABASE__URL=pg_url,
        BRIEFBOT_METRICS__PORT=str(port),
        BRIEFBOT_METRICS__HOST="127.0.0.1",
        BRIEFBOT_SLACK__HOST="127.0.0.1",
    )
    services = compose["services"]

    async with started(briefbot_command() + services["migrate"]["command"], environ, tmp_path) as (
        migrate,
        output,
    ):
        assert await migrate.wait() == 0, await output.finished()
        assert "applied" in await output.finished()

    async with started(briefbot_command() + services["briefbot"]["command"], environ, tmp_path) as (
        service,
        output,
    ):
        await output.wait_for("briefbot running", within=60)
        async with httpx.AsyncClient(timeout=5) as client:
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert metrics.status_code == 200 and "briefbot" in metrics.text
        # The image's HEALTHCHECK asks /healthz; until `run` hands the metrics server its
        # health probes that path is a 404 there, and once it does it must answer 200.
        if health.status_code != 404:
            assert health.status_code == 200, health.text
        ingest = await output.wait_for("ingest: ", "job ingest failed", within=60)
        assert "0 failed" in ingest, ingest
        service.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await service.wait()
        log = await output.finished()
        assert code == 0, log
        assert "stopping" in log and "Traceback" not in log

    connection = await asyncpg.connect(
        make_url(pg_url).set(drivername="postgresql").render_as_string(False)
    )
    try:
        assert await connection.fetchval("SELECT count(*) FROM briefs") > 0
    finally:
        await connection.close()
