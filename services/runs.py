"""One run lifecycle for every background job kind.

A run lives on a row (a resume being parsed or tailored, a profile's index, a
Stripe event) that carries `attempts` and `updated_at`:

- **claim by attempt**: a run claims its row by raising `attempts` while the row
  is active (and below `max_attempts`); the value it raised to is its attempt.
- **stages**: every later write names that attempt; when the row's attempt moved
  on (a requeued duplicate, a retry, a reset, a deletion) the write changes nothing
  and the older run stops with `Superseded`, writing and publishing nothing more.
- **fail with refund rules**: a failure whose code is not the client's fault
  gives back what the run was charged (`RunKind.client_faults`, `RunKind.refund`).
- **sweep and requeue**: an active row untouched past `STUCK_AFTER` lost its job;
  `Lifecycle.sweep` claims it by touching it (so of several sweepers one requeues
  it) and the job kind's `enqueue` queues it again (`services.queue.Jobs`).
- **enqueue after commit**: jobs take ids and are queued by the caller once the
  row is committed (`Jobs.enqueue_*`); they are idempotent.

A new job kind: a `Lifecycle` for its row, a `RunKind` if it charges something,
a job function taking an id, and its task in `services.queue.Jobs`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import F, Q
from tortoise.models import Model

from services.errors import ServiceBusy

MAX_ATTEMPTS = 3  # a run that crashed its worker this often fails for good
TERMINAL = ("READY", "FAILED")
WAITING_STAGES = ("received", "queued")  # a job that has not started yet

M = TypeVar("M", bound=Model)


class Superseded(Exception):
    """Another run owns the row now (a retry or a requeued job): stop quietly."""


@dataclass(frozen=True, slots=True)
class Lifecycle(Generic[M]):
    """Claims, stage writes and the sweep of one kind of run row."""

    model: type[M]
    active: Mapping[str, Any]  # the filter of a row whose run is live
    key: str = "id"  # the column jobs name the row by (unique)
    max_attempts: int | None = MAX_ATTEMPTS  # None: a run is never given up
    # the column of the row's last sign of life (the sweep's age); `touches`:
    # claims and stage writes renew it
    stamp: str = "updated_at"
    touches: bool = True

    def _live(self, row_id: int) -> Any:
        return self.model.filter(**{self.key: row_id}, **self.active)

    def _now(self) -> dict[str, Any]:
        return {self.stamp: datetime.now(UTC)} if self.touches else {}

    async def claim(
        self,
        row_id: int,
        *,
        where: Mapping[str, Any] | None = None,
        claimable: Q | None = None,
        **started: Any,
    ) -> bool:
        """Raise `attempts` of an active row (or of one matching `claimable`,
        e.g. a queued one) below `max_attempts`, with the extra `where` filters,
        writing `started` with it; whether it claimed."""
        if claimable is None:
            query = self._live(row_id)
        else:
            query = self.model.filter(claimable, **{self.key: row_id})
        if self.max_attempts is not None:
            query = query.filter(attempts__lt=self.max_attempts)
        if where:
            query = query.filter(**where)
        updated: int = await query.update(
            attempts=F("attempts") + 1, **self._now(), **started
        )
        return bool(updated)

    async def write(
        self, row_id: int, attempt: int, changes: Mapping[str, Any]
    ) -> None:
        """Write a stage while `attempt` still owns the active row, else Superseded."""
        updated = await (
            self._live(row_id).filter(attempts=attempt).update(**changes, **self._now())
        )
        if not updated:
            raise Superseded(row_id)

    async def sweep(self, *, older_than: datetime, touch: bool = True) -> list[int]:
        """Active rows not touched since `older_than` (their job was lost). With
        `touch`, each is claimed by touching it, so of several sweepers only one
        requeues it; without, the job itself decides (it claims by attempt)."""
        before = {f"{self.stamp}__lt": older_than}
        stale = self.model.filter(**self.active, **before)
        # one column as 1-tuples: tortoise types `flat=True` rows as tuples too
        keys = [int(k) for (k,) in await stale.values_list(self.key)]
        if not touch:
            return keys
        claimed = []
        for row_id in keys:
            touched = await (
                self._live(row_id)
                .filter(**before)
                .update(**{self.stamp: datetime.now(UTC)})
            )
            if touched:
                claimed.append(row_id)
        return claimed


@dataclass(frozen=True, slots=True)
class RunKind:
    """What a failed run of a kind gives back: nothing for the client's faults,
    else `refund` (idempotent: charged once, refunded at most once)."""

    name: str
    refund: Callable[[Any], Awaitable[None]] | None = None
    client_faults: frozenset[str] = field(default_factory=frozenset)

    def refunds(self, code: str) -> bool:
        return self.refund is not None and code not in self.client_faults


# -- backpressure: refuse new work while the queue is full -----------------------------


@dataclass(frozen=True, slots=True)
class QueueLimits:
    max_pending: int  # jobs allowed to wait at once (parses and tailoring runs)
    retry_after: int  # seconds a refused client is told to wait


async def check_backpressure(
    *, limits: QueueLimits | None, pending: Callable[[], Awaitable[int]]
) -> None:
    """Refuse new work (SERVICE_BUSY) while `max_pending` jobs already wait:
    checked before anything is charged."""
    if limits is None:
        return
    if await pending() >= limits.max_pending:
        raise ServiceBusy(
            f"The job queue is full ({limits.max_pending} jobs waiting); try again "
            f"in {limits.retry_after} s",
            retry_after=limits.retry_after,
        )
