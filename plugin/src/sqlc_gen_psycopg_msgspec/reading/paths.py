"""Where the schema and query files sqlc names are: sqlc passes their paths as written in
`sqlc.yaml` (relative to that file), but runs the plugin in its own working directory.

That is the same directory when sqlc runs next to `sqlc.yaml`. With `sqlc generate -f
sub/sqlc.yaml` it is not: on Linux the plugin then reads sqlc's command line (its parent
process) to find the file's folder. Whatever is still not found is reported by the caller,
never guessed, so the output does not depend on where sqlc runs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

_FILE_FLAGS = ("-f", "--file")


def _exists(base: Path, entries: Sequence[str]) -> bool:
    try:
        return all((base / entry).exists() for entry in entries)
    except OSError:
        return False


def _config_arg(cmdline: list[str]) -> str | None:
    for index, arg in enumerate(cmdline):
        if arg in _FILE_FLAGS and index + 1 < len(cmdline):
            return cmdline[index + 1]
        for flag in _FILE_FLAGS:
            if arg.startswith(f"{flag}="):
                return arg.partition("=")[2]
    return None


def _parent_config_dir() -> Path | None:
    """The folder of the file given to sqlc with -f, from its command line (Linux only)."""
    proc = Path("/proc") / str(os.getppid())
    try:
        cmdline = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        config = _config_arg(cmdline)
        return None if config is None else (proc / "cwd").resolve() / Path(config).parent
    except OSError:
        return None


def base_dir(entries: Sequence[str]) -> Path | None:
    """The folder the relative `entries` are found from, or None when they are not found."""
    relative = [entry for entry in entries if not Path(entry).is_absolute()]
    if _exists(Path(), relative):
        return Path()
    parent = _parent_config_dir()
    if parent is not None and _exists(parent, relative):
        return parent
    return None
