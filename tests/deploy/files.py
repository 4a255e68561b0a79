"""Readers for the deployment files: the Dockerfile's stages and the Compose file."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"no {keyword} in stage {self.name or self.image}"
        return found[-1]

    def env(self) -> dict[str, str]:
        """ENV key=value pairs of this stage (the form the Dockerfile uses)."""
        values: dict[str, str] = {}
        for args in self.all("ENV"):
            for token in shlex.split(args):
                key, _, value = token.partition("=")
                values[key] = value
        return values

    def exec_form(self, keyword: str) -> list[str]:
        """CMD / ENTRYPOINT / HEALTHCHECK CMD in JSON (exec) form."""
        args = self.last(keyword)
        if keyword == "HEALTHCHECK":
            args = args[args.index("CMD ") + 4 :]
        parsed = json.loads(args)
        assert isinstance(parsed, list), f"{keyword} must use the exec (JSON array) form"
        return [str(part) for part in parsed]


def logical_lines(text: str) -> list[str]:
    """Dockerfile lines with continuations joined and comments dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    return lines


def dockerfile_args() -> dict[str, str]:
    """Global ARGs with defaults (before the first FROM)."""
    args: dict[str, str] = {}
    for line in logical_lines(DOCKERFILE.read_text()):
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            break
        if keyword.upper() == "ARG" and "=" in rest:
            key, _, value = rest.partition("=")
            args[key.strip()] = value.strip()
    return args


def stages() -> list[Stage]:
    found: list[Stage] = []
    args = dockerfile_args()
    for line in logical_lines(DOCKERFILE.read_text()):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = rest.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            found.append(Stage(image, name))
        elif found:
            found[-1].instructions.append((keyword, rest.strip()))
    return found


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose interpolation for the forms the file uses: ${VAR}, ${VAR:-default}, ${VAR:?msg}."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        whole = match.group(0)
        if variables.get(name):
            return variables[name]
        if ":-" in whole:
            return whole[whole.index(":-") + 2 : -1]
        raise KeyError(f"{name} is required: {whole}")

    return _INTERPOLATION.sub(replace, value).replace("$$", "$")


def interpolated_variables(text: str) -> set[str]:
    return {m.group(1) for m in _INTERPOLATION.finditer(text)}
