"""docker-compose.yml (issue 16 item 4), checked without a Docker engine: the Compose Specification's
JSON Schema accepts it (check-jsonschema's vendored copy of compose-spec.json; ``docker compose
config`` too where the plugin is installed), and what a schema cannot see holds — every command is
one the ``gongkai`` CLI has, every GONGKAI_* variable a setting some process reads, with a value it
accepts, every URL points at a service of the file, the migration gates every service, the
PostgreSQL init script creates exactly the databases the URLs name."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from shared.settings import SERVICE_NAMES
from tests.deploy.support import (
    gongkai_command_problem,
    interpolated,
    interpolation_variables,
    refused_values,
    unknown_settings,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
INIT_SQL = ROOT / "deploy" / "compose" / "postgres-init.sql"
INFRASTRUCTURE = {"postgres", "rabbitmq", "mailpit"}
PORT = 8000


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as Compose reads it: anchors and merge keys resolved, variables at their defaults."""
    loaded = yaml.safe_load(interpolated(COMPOSE_FILE.read_text(encoding="utf-8")))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def app_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every container running the gongkai image (the five services, the migration, the gateway)."""
    return {name: spec for name, spec in services.items() if name not in INFRASTRUCTURE}


def environment_of(spec: dict[str, Any]) -> dict[str, str | None]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: None if value is None else str(value) for key, value in env.items()}


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_compose_specification_schema_accepts_the_file() -> None:
    result = check_jsonschema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_validator_does_see_mistakes_in_merged_keys(tmp_path: Path) -> None:
    """The validator resolves the anchors the five services are built from: a wrong key in the
    shared block is reported on each of them (so the green test above means something)."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE_FILE.read_text(encoding="utf-8").replace("  stop_grace_period: 20s\n", "  stop_grace_periode: 20s\n"),
        encoding="utf-8",
    )
    result = check_jsonschema(broken)
    assert result.returncode == 1
    for name in SERVICE_NAMES:
        assert f"$.services.{name}: Unevaluated properties are not allowed ('stop_grace_periode'" in result.stdout


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode != 0,
    reason="the docker compose plugin is not installed (the schema test above stands in for it)",
)
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_every_command_is_one_the_gongkai_cli_has(services: dict[str, dict[str, Any]]) -> None:
    problems = {
        name: problem
        for name, spec in app_services(services).items()
        if (problem := gongkai_command_problem(spec.get("command") or []))
    }
    assert not problems
    for name in SERVICE_NAMES:
        assert services[name]["command"][:3] == ["gongkai", "serve-one", name]
        assert services[name]["command"][3:] == ["--host", "0.0.0.0", "--port", str(PORT)]
    assert services["migrate"]["command"] == ["gongkai", "migrate"]
    assert services["gateway"]["command"][:2] == ["gongkai", "gateway"]


def test_every_gongkai_variable_is_a_real_setting_with_a_value_it_accepts(
    services: dict[str, dict[str, Any]],
) -> None:
    raw = COMPOSE_FILE.read_text(encoding="utf-8")
    for name, spec in app_services(services).items():
        env = environment_of(spec)
        assert not unknown_settings(set(env)), name
        assert not refused_values({key: value for key, value in env.items() if value is not None}), name
    # A variable the operator sets in .env for a GONGKAI_* default is that setting's own name.
    assert not unknown_settings(interpolation_variables(raw))


def test_every_url_points_at_a_service_of_the_file(services: dict[str, dict[str, Any]]) -> None:
    for name, spec in app_services(services).items():
        for key, value in environment_of(spec).items():
            if value and "://" in value and key != "GONGKAI_APPRAISAL_PUBLIC_BASE_URL":
                assert urlsplit(value).hostname in services, (name, key, value)
    notifier = environment_of(services["notifier"])
    assert notifier["GONGKAI_NOTIFIER_SMTP_HOST"] == "mailpit"


def test_the_gateway_is_the_one_public_port_and_knows_every_service(services: dict[str, dict[str, Any]]) -> None:
    gateway = environment_of(services["gateway"])
    assert {key: gateway[key] for key in gateway if key.endswith("_URL")} == {
        f"GONGKAI_{name.upper()}_URL": f"http://{name}:{PORT}" for name in SERVICE_NAMES
    }
    assert services["gateway"]["ports"] == [f"{PORT}:{PORT}"]
    assert set(services["gateway"]["depends_on"]) == set(SERVICE_NAMES)
    for name, spec in services.items():
        if name != "gateway":
            # Anything else published is for this host only (management and mail UIs).
            assert all(str(port).startswith("127.0.0.1:") for port in spec.get("ports", [])), name


def test_every_depends_on_target_exists_and_can_satisfy_its_condition(services: dict[str, dict[str, Any]]) -> None:
    for name, spec in services.items():
        for target, condition in (spec.get("depends_on") or {}).items():
            assert target in services, (name, target)
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[target], (name, target)
            if condition["condition"] == "service_completed_successfully":
                assert services[target].get("restart", "no") == "no", (name, target)


def test_the_migration_runs_once_first_and_gates_every_service(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    assert "healthcheck" not in services["migrate"]
    for name in SERVICE_NAMES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    # The migration reaches every database the services use.
    migrate_env = environment_of(services["migrate"])
    for name in SERVICE_NAMES:
        key = f"GONGKAI_{name.upper()}_DATABASE_URL"
        assert migrate_env[key] == environment_of(services[name])[key], key


def test_every_long_running_container_has_a_health_check_on_its_port(services: dict[str, dict[str, Any]]) -> None:
    for name, spec in services.items():
        if name == "migrate":
            continue
        assert spec.get("restart") == "unless-stopped", name
        test = spec["healthcheck"]["test"]
        assert test[0] == "CMD", name
        if name in SERVICE_NAMES or name == "gateway":
            assert test[1:3] == ["python", "-c"], name
            compile(test[3], f"{name} healthcheck", "exec")
            path = "/readyz" if name in SERVICE_NAMES else "/healthz"
            assert f"'http://127.0.0.1:{PORT}{path}'" in test[3], name


def test_the_init_script_creates_exactly_the_databases_the_urls_name(services: dict[str, dict[str, Any]]) -> None:
    created = re.findall(r"^CREATE DATABASE (\w+);$", INIT_SQL.read_text(encoding="utf-8"), re.MULTILINE)
    named: set[str] = set()
    for spec in app_services(services).values():
        for key, value in environment_of(spec).items():
            if key.endswith("_DATABASE_URL") and value:
                url = urlsplit(value)
                assert url.scheme == "postgresql+asyncpg" and url.hostname == "postgres", value
                assert url.password == services["postgres"]["environment"]["POSTGRES_PASSWORD"], key
                named.add(url.path.lstrip("/"))
    assert sorted(created) == sorted(named) == sorted(f"gongkai_{name}" for name in SERVICE_NAMES)
    mounts = services["postgres"]["volumes"]
    assert f"./{INIT_SQL.relative_to(ROOT).as_posix()}:/docker-entrypoint-initdb.d/10-gongkai.sql:ro" in mounts


def test_the_bus_url_logs_in_as_the_broker_user(services: dict[str, dict[str, Any]]) -> None:
    """RabbitMQ's guest may only log in from localhost: the services use the user the image creates."""
    broker = services["rabbitmq"]["environment"]
    assert "management" in services["rabbitmq"]["image"]
    for name in SERVICE_NAMES:
        url = urlsplit(environment_of(services[name])["GONGKAI_BUS_URL"] or "")
        assert (url.scheme, url.username, url.password) == (
            "amqp",
            broker["RABBITMQ_DEFAULT_USER"],
            broker["RABBITMQ_DEFAULT_PASS"],
        ), name


def test_images_are_pinned_and_the_app_runs_read_only_on_its_volume(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, spec in services.items():
        image = spec["image"]
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", image) and not image.endswith(":latest"), (name, image)
    for name, spec in app_services(services).items():
        assert spec["build"] == "." and spec["image"] == services["migrate"]["image"], name
        assert spec["read_only"] is True and spec["tmpfs"] == ["/tmp"], name
        assert spec["volumes"] == ["gongkai-data:/var/lib/gongkai"], name
    assert set(compose["volumes"]) >= {"gongkai-data", "postgres-data", "rabbitmq-data"}
