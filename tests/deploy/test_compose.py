"""docker-compose.yml: valid against the Compose Specification schema, and the invariants."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from rhythm.app.settings import Settings, env_name
from tests.deploy.files import COMPOSE, ROOT, compose, interpolate, interpolated_variables

# The schema as check-jsonschema (a pinned dev dependency) vendors it from compose-spec.
SCHEMA = json.loads(
    files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
)
# Variables the Compose file reads that are not app settings (they configure PostgreSQL).
COMPOSE_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE_KEY")
_REQUIRED = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*:\?[^}]+\}$")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return compose()


def _services(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = spec["services"]
    return services


def test_valid_against_the_compose_specification(spec: dict[str, Any]) -> None:
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(spec)]
    assert errors == []


def test_the_schema_catches_a_broken_file(spec: dict[str, Any]) -> None:
    broken = {**spec, "services": {"app": {"depends_on": {"db": {"condition": "whenever"}}}}}
    assert not jsonschema.validators.validator_for(SCHEMA)(SCHEMA).is_valid(broken)


def test_postgres_is_pinned_persistent_and_health_checked(spec: dict[str, Any]) -> None:
    postgres = _services(spec)["postgres"]
    assert re.fullmatch(r"postgres:\d+(\.\d+)?-(alpine|bookworm|trixie)", postgres["image"])
    volume, _, target = postgres["volumes"][0].partition(":")
    assert volume in spec["volumes"], "the data lives in a named volume"
    assert target == "/var/lib/postgresql"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_migrate_is_a_one_shot_of_the_app_image(spec: dict[str, Any]) -> None:
    services = _services(spec)
    migrate, app = services["migrate"], services["app"]
    assert migrate["command"] == ["rhythm", "migrate", "up"]
    assert migrate["image"] == app["image"]
    assert migrate["build"] == app["build"] == "."
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_app_waits_for_migrations_and_checks_readiness(spec: dict[str, Any]) -> None:
    app = _services(spec)["app"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "command" not in app, "the app runs the image's CMD, the README's command"
    assert "/health/ready" in " ".join(app["healthcheck"]["test"])
    environment = app["environment"]
    assert environment["RHYTHM_MIGRATE_ON_START"] == "false"
    assert environment["RHYTHM_ENV"] == "production"


def test_no_secret_is_written_in_the_file(spec: dict[str, Any]) -> None:
    for name, service in _services(spec).items():
        for key, value in (service.get("environment") or {}).items():
            if _SECRET_NAME.search(key):
                assert _REQUIRED.match(str(value)), f"{name}.{key} must be ${{{key}:?...}}"
        url = (service.get("environment") or {}).get("DATABASE_URL")
        if url is not None:
            auth = re.match(r"postgresql://(\$\{[^}]*\}|[^:@]*):(\$\{[^}]*\}|[^@]*)@", url)
            assert auth is not None, url
            assert _REQUIRED.match(auth.group(2)), f"{name}: the password must come from .env"


@pytest.mark.parametrize("service", ["migrate", "app"])
def test_production_mail_settings_are_required_with_a_message(
    spec: dict[str, Any], service: str
) -> None:
    environment = _services(spec)[service]["environment"]
    for name in ("RHYTHM_MAIL_TRANSPORT", "RHYTHM_SMTP_HOST"):
        value = str(environment[name])
        assert _REQUIRED.match(value), f"{service}.{name} must be ${{{name}:?...}}"
        with pytest.raises(KeyError, match=name):
            interpolate(value, {name: ""})  # empty counts as missing, as in compose
    assert "smtp" in str(environment["RHYTHM_MAIL_TRANSPORT"])  # the message says the value


def test_every_variable_is_a_setting_or_a_compose_variable() -> None:
    settings = {env_name(field) for field in Settings.__struct_fields__}
    used = interpolated_variables(COMPOSE.read_text())
    assert used - settings <= COMPOSE_VARIABLES
    assert "POSTGRES_PASSWORD" in used


def test_env_example_documents_the_compose_variables() -> None:
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert interpolated_variables(COMPOSE.read_text()) <= documented
