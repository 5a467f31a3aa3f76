"""Group commit: work asked for while a batch is being written waits for the next batch, written as one.

Under load, many clicks arrive while one transaction is being written; writing each in a transaction of its own
costs a commit and a dozen statements apiece. A Batcher writes everything that arrived meanwhile together, in one
transaction with a handful of statements, and hands each caller its own result. Alone, a call is written at once
(a batch of one), so nothing waits for company.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Outcome = R | BaseException  # a result, or the error to raise for that caller alone


class Batcher(Generic[T, R]):
    """`write(items)` returns one outcome per item, in order; an exception raised by `write` itself fails every
    caller of that batch. At most `largest` items go in one batch; the rest wait for the next."""

    def __init__(self, write: Callable[[Sequence[T]], Awaitable[Sequence[R | BaseException]]], *, largest: int = 256):
        self._write = write
        self._largest = largest
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self._largest], self._waiting[self._largest :]
            try:
                outcomes = await self._write([item for item, _ in batch])
            except asyncio.CancelledError:  # stopping: the callers of this batch and the next are cancelled too
                for _, future in batch + self._waiting:
                    future.cancel()
                raise
            except Exception as exc:  # noqa: BLE001 - the batch failed as a whole: each caller hears why
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the caller gave up (cancelled); what was written stays written
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
