"""Regenerate tests/codegen/golden from the corpus: `python -m tests.codegen.update_goldens`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.codegen.sqlc_run import GOLDEN, cases, generate


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases():
            out = generate(case, Path(tmp))
            target = GOLDEN / case
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(out, target)
            if not (target / "__init__.py").exists():  # several packages: make the case one
                (target / "__init__.py").write_text(f'"""Golden output of corpus case {case}."""\n')
            print(f"updated {target}")


if __name__ == "__main__":
    main()
