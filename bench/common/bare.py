"""What the bare baselines (bench/http/bare_app.py, bench/events/channels_app.py) share.

A bare app is Litestar with nothing of ours around it (no OpenAPI, logging config, middleware,
problem details or DI), served by the very server `rhythm serve` runs (`run_server`: uvicorn,
uvloop, httptools, same options) on the port the bench hands over in ``RHYTHM_PORT``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from litestar import Litestar
from litestar.types import ControllerRouterHandler

from rhythm.app.server import run_server


def bare_litestar(handlers: Sequence[ControllerRouterHandler], **options: Any) -> Litestar:
    """A Litestar app with ``handlers`` and ``options``, and none of the app's own layers."""
    return Litestar(
        list(handlers), openapi_config=None, logging_config=None, debug=False, **options
    )


def serve(app: Litestar) -> None:
    """Serve ``app`` on 127.0.0.1:$RHYTHM_PORT until the bench terminates it."""
    run_server(app, host="127.0.0.1", port=int(os.environ["RHYTHM_PORT"]))
