"""Per-request loaders of the agents and jobs domains. Rows of other
organizations are loaded only where the caller may see part of them (a PUBLIC
agent, the other party of a job); the schema types decide which fields show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from strawberry.dataloader import DataLoader

from models.accounts import Organization, User
from models.agents import Agent
from models.jobs import Job, JobEvent
from services import agents, jobs
from services.accounts import Actor

# agent id, rows, cursor keyset, status, backward
JobsKey = tuple[int, int, tuple[datetime, int] | None, str | None, bool]

JobListing = Literal["worker_status", "posted_jobs"]
"""The viewer's job lists: jobs its agents received, jobs it posted."""
_JOB_LISTS = {
    "worker_status": (jobs.worker_status, jobs.count_worker_status),
    "posted_jobs": (jobs.posted_jobs, jobs.count_posted_jobs),
}


class AgentLoaders:
    def __init__(self, actor: Callable[[], Actor | None]) -> None:
        self._actor = actor
        self.agent_by_id = DataLoader[int, Agent | None](load_fn=self._agents)
        self.user_summary_by_id = DataLoader[int, User | None](load_fn=self._users)
        self.active_job_count = DataLoader[int, int](load_fn=self._active_counts)
        self.job_by_id = DataLoader[int, Job | None](load_fn=self._jobs)
        self.history_by_job_id = DataLoader[int, list[JobEvent]](load_fn=self._history)
        # a user's balance is their own organization's
        self.credits_by_organization_id = DataLoader[int, int](load_fn=self._balances)
        # key: (agent id, first, after, status); one query per distinct page shape
        self.jobs_of_agent = DataLoader[JobsKey, list[Job]](
            load_fn=self._jobs_of_agents
        )
        # key: (agent id, status); one grouped COUNT per status
        self.job_count_of_agent = DataLoader[tuple[int, str | None], int](
            load_fn=self._job_counts
        )

    def actor(self) -> Actor:
        actor = self._actor()
        assert actor is not None, "agent and job fields need an authenticated viewer"
        return actor

    def organization_id(self) -> int | None:
        actor = self._actor()
        return actor.organization_id if actor else None

    async def _agents(self, ids: list[int]) -> list[Agent | None]:
        found = {a.id: a for a in await agents.agents_by_id(ids)}
        return [found.get(i) for i in ids]

    async def _users(self, ids: list[int]) -> list[User | None]:
        rows = await User.filter(id__in=ids).only("id", "name", "avatar_url")
        found = {u.id: u for u in rows}
        return [found.get(i) for i in ids]

    async def _active_counts(self, ids: list[int]) -> list[int]:
        org = self.organization_id()
        if org is None:
            return [0] * len(ids)
        counts = await agents.active_job_counts(organization_id=org, ids=ids)
        return [counts.get(i, 0) for i in ids]

    async def _jobs(self, ids: list[int]) -> list[Job | None]:
        actor = self._actor()
        if actor is None:
            return [None] * len(ids)
        found = {j.id: j for j in await jobs.jobs_by_id(actor=actor, ids=ids)}
        return [found.get(i) for i in ids]

    async def _history(self, ids: list[int]) -> list[list[JobEvent]]:
        events = await jobs.history(job_ids=ids)
        return [events.get(i, []) for i in ids]

    async def _jobs_of_agents(self, keys: list[JobsKey]) -> list[list[Job]]:
        shapes: dict[
            tuple[int, tuple[datetime, int] | None, str | None, bool], list[int]
        ] = {}
        for agent_id, first, after, status, backward in keys:
            shapes.setdefault((first, after, status, backward), []).append(agent_id)
        pages: dict[JobsKey, list[Job]] = {}
        for (first, after, status, backward), agent_ids in shapes.items():
            found = await jobs.jobs_of_agents(
                actor=self.actor(),
                agent_ids=agent_ids,
                first=first,
                after=after,
                status=status,
                backward=backward,
            )
            for agent_id in agent_ids:
                key = (agent_id, first, after, status, backward)
                pages[key] = found.get(agent_id, [])
        return [pages[key] for key in keys]

    async def _job_counts(self, keys: list[tuple[int, str | None]]) -> list[int]:
        by_status: dict[str | None, list[int]] = {}
        for agent_id, status in keys:
            by_status.setdefault(status, []).append(agent_id)
        counts: dict[tuple[int, str | None], int] = {}
        for status, agent_ids in by_status.items():
            found = await jobs.count_jobs_of_agents(
                actor=self.actor(), agent_ids=agent_ids, status=status
            )
            counts.update({(i, status): n for i, n in found.items()})
        return [counts[key] for key in keys]

    async def agent_count(self) -> int:
        return await agents.count_agents(actor=self.actor())

    async def job_list_count(self, listing: JobListing, *, status: str | None) -> int:
        count = _JOB_LISTS[listing][1]
        return await count(actor=self.actor(), status=status)

    # -- list queries of the viewer (one per field) --------------------------------

    async def viewer_agents(
        self, *, first: int, after: tuple[bool, int] | None, backward: bool = False
    ) -> list[Agent]:
        return await agents.list_agents(
            actor=self.actor(), first=first, after=after, backward=backward
        )

    async def job_list(
        self,
        listing: JobListing,
        *,
        first: int,
        after: tuple[datetime, int] | None,
        status: str | None,
        backward: bool = False,
    ) -> list[Job]:
        fetch = _JOB_LISTS[listing][0]
        return await fetch(
            actor=self.actor(),
            first=first,
            after=after,
            status=status,
            backward=backward,
        )

    async def _balances(self, ids: list[int]) -> list[int]:
        rows = await Organization.filter(id__in=ids).only("id", "credits")
        found = {o.id: o.credits for o in rows}
        return [found.get(i, 0) for i in ids]
