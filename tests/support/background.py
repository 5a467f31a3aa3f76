"""An asyncio world (the real app and its fakes) on its own event loop in a thread, for a synchronous test to call
over HTTP: property-based tests run their examples synchronously, and the world keeps serving between them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Generic, TypeVar

T = TypeVar("T")
START_WAIT = 60.0  # seconds for the world to come up


class Background(Generic[T]):
    """`with Background(make) as world:` enters `make()` on a new loop in a thread and exits it on leaving."""

    def __init__(self, make: Callable[[], AbstractAsyncContextManager[T]]) -> None:
        self._make = make
        self._ready = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="background-world", daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with self._make() as value:
                self._value = value
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            self._error = exc
            self._ready.set()

    def __enter__(self) -> T:
        self._thread.start()
        if not self._ready.wait(START_WAIT):
            raise TimeoutError("the background world did not start")
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(START_WAIT)
