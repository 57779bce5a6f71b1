"""The container deployment (deploy/docker-compose.yml, deploy/.env.example, deploy/nginx.conf) says only what
Ladder understands: its environment names are settings, its commands are app.py's, and the example holds no secret.
No container engine is needed: the files are read as data."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

import app
from settings import _PLACEHOLDER, _SECRET_FIELDS, Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
LADDER_SERVICES = ("migrate", "seed", "web", "worker", "scheduler")
SETTINGS_NAMES = {name.upper() for name in Settings.model_fields}
SECRET_NAMES = {name.upper() for name in _SECRET_FIELDS}
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "LADDER_IMAGE", "LB_PORT"}  # ${…} in the compose file
SERVICE_PREFIXES = {"postgres": "POSTGRES_", "rabbitmq": "RABBITMQ_"}  # the images' own variables


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return env


def example_lines() -> list[tuple[str, str, bool]]:
    """(name, value, active) for every NAME=value line of .env.example, commented-out ones too (active False)."""
    found = []
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            found.append((match[2], match[3].strip(), match[1] is None))
    return found


def app_commands(service: dict) -> list[list[str]]:
    """The ``python app.py …`` invocations a service runs: its command, or each one in an ``sh -c`` script."""
    command = service["command"]
    if isinstance(command, str):
        command = shlex.split(command)
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.findall(r"python app\.py [^&|;{}]+", command[2])]
    return [list(map(str, command))]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_environment_name_is_a_setting_or_the_services_own(name):
    prefix = SERVICE_PREFIXES.get(name)
    for var in environment(SERVICES[name]):
        assert var in SETTINGS_NAMES or (prefix is not None and var.startswith(prefix)), (
            f"{name}: {var} is not a field of settings.Settings")


def test_ladder_services_share_the_anchored_environment_and_the_env_file():
    shared = COMPOSE["x-ladder-env"]
    assert {"DATABASE_URL", "TASK_BROKER_URL", "CHROMA_HOST", "LADDER_ENV"} <= set(shared)
    for name in LADDER_SERVICES:
        assert environment(SERVICES[name]) == shared, name
        assert SERVICES[name]["env_file"] == [".env"], name


def test_secrets_come_only_from_the_env_file():
    for name, service in SERVICES.items():
        assert not SECRET_NAMES & set(environment(service)), f"{name} sets a secret in the compose file"


@pytest.mark.parametrize("name,subcommand", [("web", "serve"), ("worker", "worker"), ("scheduler", "scheduler"),
                                              ("seed", "seed"), ("migrate", "db")])
def test_commands_are_app_subcommands(name, subcommand):
    commands = app_commands(SERVICES[name])
    assert commands, name
    for command in commands:
        assert command[:2] == ["python", "app.py"], command
        args = app.parser().parse_args(command[2:])  # argparse exits on anything app.py does not know
        assert callable(args.func)
    assert app.parser().parse_args(commands[0][2:]).command == subcommand


def test_web_listens_where_the_load_balancer_and_health_check_look():
    args = app.parser().parse_args(app_commands(SERVICES["web"])[0][2:])
    assert (args.host, args.port) == ("0.0.0.0", 3000)
    assert f"server web:{args.port} " in (DEPLOY / "nginx.conf").read_text()
    assert f"127.0.0.1:{args.port}/readyz" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert SERVICES["web"]["deploy"]["replicas"] == 2 and SERVICES["worker"]["deploy"]["replicas"] == 2
    for name in ("web", "worker", "scheduler"):  # replicas: no fixed name, no host port
        assert "container_name" not in SERVICES[name] and "ports" not in SERVICES[name], name


def test_dependencies_exist_and_wait_for_the_schema():
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in SERVICES.items():
        for dependency, how in (service.get("depends_on") or {}).items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            assert how["condition"] in conditions
            if how["condition"] == "service_healthy":
                assert not SERVICES[dependency].get("healthcheck", {}).get("disable"), f"{dependency} has no health check"
    for name in ("web", "worker", "scheduler"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_compose_variable_is_in_the_example():
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", (DEPLOY / "docker-compose.yml").read_text()))
    documented = {name for name, _, _ in example_lines()}
    assert used and used <= documented, used - documented


def test_example_names_are_settings_or_compose_variables():
    for name, _, _ in example_lines():
        assert name in SETTINGS_NAMES or name in COMPOSE_ONLY, f".env.example: {name} is not a setting"
    names = {name for name, _, _ in example_lines()}
    assert {"ENCRYPTION_KEYS", "PRIVACY_PSEUDONYM_KEY", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
            "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"} <= names


# Shapes of real credentials: Slack tokens, OpenAI-style keys, a Fernet key, or any long random-looking run.
_REAL_SECRET = [
    re.compile(r"xox[abposr]-[0-9A-Za-z]"), re.compile(r"xapp-\d"), re.compile(r"sk-[A-Za-z0-9_-]{16,}"),
    re.compile(r"^[A-Za-z0-9_-]{43}=$"),
]


def _looks_random(value: str) -> bool:
    for run in re.findall(r"[A-Za-z0-9_+/=-]{20,}", value):
        if re.search(r"\d", run) and re.search(r"[A-Za-z]", run):
            return True
    return False


def test_example_holds_no_real_secret():
    for name, value, active in example_lines():
        assert not any(p.search(value) for p in _REAL_SECRET), f"{name} looks like a real credential"
        assert not _looks_random(value), f"{name}={value!r} looks like a generated secret"
        if active and (name in SECRET_NAMES or name in COMPOSE_ONLY and name.endswith("PASSWORD")):
            assert value == "" or _PLACEHOLDER.match(value), f"{name} must be left for the operator to fill in"


def test_real_env_file_is_ignored_by_git_and_docker():
    root = DEPLOY.parent
    assert any(line.strip() == ".env" for line in (root / ".gitignore").read_text().splitlines())
    assert "**/.env" in (root / ".dockerignore").read_text().split()


def _container_settings(example: dict[str, str], tmp_path: Path) -> Settings:
    """Settings as a Ladder container builds them: the anchored environment (its ${…} filled from ``example``)
    over the env file's lines."""
    def fill(text: str) -> str:
        return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)[^}]*\}", lambda m: example.get(m[1], ""), text)

    values = {**example, **{k: fill(str(v)) for k, v in COMPOSE["x-ladder-env"].items()}}
    values["DATA_DIR"] = str(tmp_path)  # /app/var does not exist here
    fields = {k.lower(): v for k, v in values.items() if k in SETTINGS_NAMES}
    return Settings(_env_file=None, **fields)


def test_example_copied_unfilled_is_refused(tmp_path):
    example = {name: value for name, value, active in example_lines() if active}
    with pytest.raises(ValueError, match="ENCRYPTION_KEYS|PRIVACY_PSEUDONYM_KEY"):
        _container_settings(example, tmp_path)


def test_example_filled_in_loads(tmp_path):
    from cryptography.fernet import Fernet

    example = {name: value for name, value, active in example_lines() if active}
    example |= {"POSTGRES_PASSWORD": "p" * 24, "RABBITMQ_PASSWORD": "r" * 24,
                "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "PRIVACY_PSEUDONYM_KEY": "k" * 40}
    settings = _container_settings(example, tmp_path)
    assert settings.ladder_env == "production" and settings.chroma_host == "chroma"
    assert settings.database_url == f"postgresql+psycopg://ladder:{'p' * 24}@postgres:5432/ladder"
    assert settings.task_broker_url.startswith("amqp://ladder:") and settings.embedding_download is False
    assert len(settings.pseudonym_key()) == 40
