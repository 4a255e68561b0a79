"""A send timeout for a socket that costs nothing while sends complete at once.

``asyncio.timeout`` around every send schedules and cancels a timer per event per socket, the
largest piece of the room sockets' own code in a profile of the delivery path. A send to a
client that reads completes without waiting (the transport buffers the frame), so one timer
per socket is enough: armed by the first send, it looks at the send in progress when it fires
and re-arms only while one is.
"""

from __future__ import annotations

import asyncio


class SendWatch:
    """Cancels the current task once a single send has lasted ``limit_s``; ``fired`` says
    that the cancellation was this watch's."""

    def __init__(self, limit_s: float) -> None:
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None  # built inside the task it watches
        self._task = task
        self._limit_s = limit_s
        self._since: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.fired = False

    def sending(self) -> None:
        self._since = self._loop.time()
        if self._timer is None:
            self._timer = self._loop.call_at(self._since + self._limit_s, self._check)

    def sent(self) -> None:
        self._since = None

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        if self._since is None:
            return  # idle: the next send arms it again
        deadline = self._since + self._limit_s
        if self._loop.time() < deadline:
            self._timer = self._loop.call_at(deadline, self._check)
            return
        self.fired = True
        self._task.cancel()
