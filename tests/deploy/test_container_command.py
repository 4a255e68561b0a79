"""The container's exact command lines, outside a container, against a real PostgreSQL.

What the image would do, read from the Dockerfile and the Compose file: `migrate` runs
`rhythm migrate up` on an empty database, then `app` runs the image's CMD with the image's ENV
plus the compose environment, and both health checks pass. Only what is specific to the
container is mapped: PATH (the image's venv is ours), the listening port (a free one) and the
values compose interpolates from .env (a database URL, a strong secret, an SMTP server).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.deploy.files import ROOT, compose, interpolate, stages
from tests.pg import free_port
from tests.server_process import http_status

VENV_BIN = str(Path(sys.executable).parent)


def _container_env(service: str, database_url: str, port: int) -> dict[str, str]:
    image_env = {k: v for k, v in stages()[-1].env().items() if k != "PATH"}
    variables = {
        "RHYTHM_JWT_SECRET": secrets.token_urlsafe(48),
        "POSTGRES_PASSWORD": "unused",
        # What a deployment's .env sets: production refuses the development outbox.
        "RHYTHM_MAIL_TRANSPORT": "smtp",
        "RHYTHM_SMTP_HOST": "127.0.0.1",
    }
    compose_env = {
        key: interpolate(str(value), variables)
        for key, value in compose()["services"][service]["environment"].items()
    }
    compose_env["DATABASE_URL"] = database_url  # the compose one names the `postgres` host
    host_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RHYTHM_", "DATABASE_URL"))
    }
    env = {**host_env, **image_env, **compose_env}
    env["PATH"] = f"{VENV_BIN}:{os.environ.get('PATH', '')}"
    env["RHYTHM_PORT"] = str(port)
    return env


def _resolve(command: list[str]) -> list[str]:
    found = shutil.which(command[0], path=VENV_BIN)
    assert found is not None, f"{command[0]} is not installed in the venv"
    return [found, *command[1:]]


def test_migrate_then_serve_with_the_image_command(blank_database_url: str) -> None:
    port = free_port()
    migrate = compose()["services"]["migrate"]["command"]
    migrated = subprocess.run(
        _resolve(migrate),
        env=_container_env("migrate", blank_database_url, port),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr

    image = stages()[-1]
    env = _container_env("app", blank_database_url, port)
    assert env["RHYTHM_ENV"] == "production"
    assert env["RHYTHM_MIGRATE_ON_START"] == "false"
    proc = subprocess.Popen(
        _resolve(image.exec_form("CMD")), env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while http_status(port) != 200:
            assert proc.poll() is None, f"the server exited with {proc.returncode}"
            assert time.monotonic() < deadline, "not ready within 20 s"
            time.sleep(0.1)
        # The image's HEALTHCHECK and compose's app healthcheck, as they are written.
        liveness = subprocess.run(image.exec_form("HEALTHCHECK"), env=env, timeout=10, check=False)
        assert liveness.returncode == 0
        probe = compose()["services"]["app"]["healthcheck"]["test"][1:]
        probe = [part.replace(":8000/", f":{port}/") for part in probe]
        readiness = subprocess.run(_resolve(probe), env=env, timeout=10, check=False)
        assert readiness.returncode == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
