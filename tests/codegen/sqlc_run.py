"""Run the real sqlc binary with our plugin on a corpus case, the way a user would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"
BIN = Path(sys.executable).parent
SQLC = BIN / "sqlc"
PLUGIN = BIN / "sqlc-gen-python"


def cases() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if (p / "sqlc.yaml").is_file())


def prepare(case: str, work: Path) -> Path:
    """Copy a case to `work`, pointing its plugin at this environment's executable."""
    target = work / case
    shutil.copytree(CORPUS / case, target)
    config = target / "sqlc.yaml"
    config.write_text(config.read_text().replace("cmd: sqlc-gen-python", f"cmd: {PLUGIN}"))
    return target


def sqlc(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SQLC), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def generate(case: str, work: Path) -> Path:
    """Generate a case into `work/<case>/out` and return that folder."""
    target = prepare(case, work)
    result = sqlc(["generate"], target)
    if result.returncode != 0:
        raise AssertionError(f"sqlc generate failed for {case}:\n{result.stderr}")
    return target / "out"


def files_of(folder: Path) -> dict[str, bytes]:
    """Every generated module under `folder`, by relative path (shared models write several
    packages; a golden case folder of such a case carries its own `__init__.py`)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.py"))}
