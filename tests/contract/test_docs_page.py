"""The interactive docs: served from local files only, and every operation renders in Chromium."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import yaml

from tests.contract.conftest import DOCUMENT, chromium

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_docs_page_uses_local_assets_only(live_server: str) -> None:
    page = httpx.get(f"{live_server}/schema")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls, page.text
    for url in urls:
        assert url.startswith("/schema/"), f"{url} is not served by the app"
        asset = httpx.get(f"{live_server}{url}")
        assert asset.status_code == 200, url


def test_docs_page_renders_every_operation(live_server: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(chromium()),
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            f"{live_server}/schema",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rendered = set(re.findall(r'id="operations-([\w-]+)"', result.stdout))
    document = yaml.safe_load(DOCUMENT.read_text())
    expected = {
        f"{op['tags'][0]}-{op['operationId']}"
        for item in document["paths"].values()
        for op in item.values()
    }
    assert expected <= rendered, f"not rendered: {sorted(expected - rendered)}"
    assert "Failed to load API definition" not in result.stdout
