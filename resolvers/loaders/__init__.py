"""Per-request DataLoaders (XByYLoader), built fresh in each context.

Every loader is scoped to the caller's organization: an id of another organization loads
as None, exactly like an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cached_property
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models.accounts import ApiKey, Membership, Organization, SecurityEvent, User
from models.resumes import Resume
from resolvers.loaders.agents import AgentLoaders
from resolvers.loaders.indexing import IndexingLoaders
from resolvers.loaders.profiles import ProfileLoaders
from resolvers.loaders.tailoring import TailoringLoaders
from services import accounts, billing, entitlements, payments, resumes, usage
from services.accounts import Actor
from services.errors import Forbidden
from settings import Settings

M = TypeVar("M", bound=Model)


def _by_id(rows: Sequence[M], ids: Sequence[int]) -> list[M | None]:
    found = {row.pk: row for row in rows}
    return [found.get(i) for i in ids]


class Loaders:
    """Each loader is built on first use: a request pays only for what it asks
    (building all of them cost about 12% of a `viewer { id }` request)."""

    def __init__(self, actor: Callable[[], Actor | None]) -> None:
        self._actor = actor

    @cached_property
    def user_by_id(self) -> DataLoader[int, User | None]:
        return DataLoader(load_fn=self._users)

    @cached_property
    def organization_by_id(self) -> DataLoader[int, Organization | None]:
        return DataLoader(load_fn=self._organizations)

    @cached_property
    def api_key_by_id(self) -> DataLoader[int, ApiKey | None]:
        return DataLoader(load_fn=self._api_keys)

    @cached_property
    def security_event_by_id(self) -> DataLoader[int, SecurityEvent | None]:
        return DataLoader(load_fn=self._security_events)

    @cached_property
    def profiles(self) -> ProfileLoaders:
        return ProfileLoaders(self._actor, self._plan_of)

    @cached_property
    def resume_by_id(self) -> DataLoader[int, Resume | None]:
        return DataLoader(load_fn=self._resumes)

    @cached_property
    def agents(self) -> AgentLoaders:
        return AgentLoaders(self._actor)

    @cached_property
    def indexing(self) -> IndexingLoaders:
        return IndexingLoaders(self._actor)

    @property
    def chat(self) -> IndexingLoaders:
        return self.indexing

    @cached_property
    def tailoring(self) -> TailoringLoaders:
        return TailoringLoaders(self._actor)

    @cached_property
    def entitlement_by_org(self) -> DataLoader[int, entitlements.Entitlement]:
        return DataLoader(load_fn=self._entitlements)

    async def _plan_of(self, organization_id: int) -> str:
        return (await self.entitlement_by_org.load(organization_id)).plan.id

    async def _entitlements(self, ids: list[int]) -> list[entitlements.Entitlement]:
        """The effective plan of the caller's organization (others are not asked)."""
        if any(i != self._org() for i in ids):
            raise Forbidden("Only the caller's own organization has entitlements here")
        return [await entitlements.for_organization(organization_id=i) for i in ids]

    async def billing_state(self, settings: Settings) -> payments.BillingState:
        return await payments.state(
            organization_id=self._require_actor().organization_id, settings=settings
        )

    async def entitlement(self) -> entitlements.Entitlement:
        return await self.entitlement_by_org.load(self._require_actor().organization_id)

    def _org(self) -> int | None:
        actor = self._actor()
        return actor.organization_id if actor else None

    async def _users(self, ids: list[int]) -> list[User | None]:
        org = self._org()
        if org is None:
            return [None] * len(ids)
        member_ids = await Membership.filter(
            organization_id=org, user_id__in=ids
        ).values_list("user_id", flat=True)
        return _by_id(await User.filter(id__in=list(member_ids)), ids)

    async def _resumes(self, ids: list[int]) -> list[Resume | None]:
        org = self._org()
        if org is None:
            return [None] * len(ids)
        rows = await resumes.get_resumes(organization_id=org, ids=ids)
        return _by_id(rows, ids)

    async def _organizations(self, ids: list[int]) -> list[Organization | None]:
        org = self._org()
        wanted = [i for i in ids if i == org]
        return _by_id(await Organization.filter(id__in=wanted) if wanted else [], ids)

    async def _api_keys(self, ids: list[int]) -> list[ApiKey | None]:
        org = self._org()
        if org is None:
            return [None] * len(ids)
        return _by_id(await ApiKey.filter(organization_id=org, id__in=ids), ids)

    async def _security_events(self, ids: list[int]) -> list[SecurityEvent | None]:
        org = self._org()
        if org is None:
            return [None] * len(ids)
        rows = await SecurityEvent.filter(organization_id=org, id__in=ids)
        return _by_id(rows, ids)

    # -- list queries of the viewer's organization (not batched: one per field) --------

    def _require_actor(self) -> Actor:
        actor = self._actor()
        assert actor is not None, "viewer fields are reached only when authenticated"
        return actor

    async def api_keys(self) -> list[ApiKey]:
        return await accounts.list_api_keys(actor=self._require_actor())

    async def security_events(
        self, *, first: int, before_id: int | None, backward: bool = False
    ) -> list[SecurityEvent]:
        return await accounts.list_security_events(
            actor=self._require_actor(),
            first=first,
            before_id=before_id,
            backward=backward,
        )

    async def security_event_count(self) -> int:
        return await accounts.count_security_events(actor=self._require_actor())

    async def usage(self, *, start: date, end: date) -> list[usage.UsageRow]:
        return await usage.usage(
            organization_id=self._require_actor().organization_id, start=start, end=end
        )

    def plan(self, plan_id: str) -> billing.Plan:
        return billing.get_plan(plan_id)

    def plans_by_key(self) -> dict[str, billing.Plan]:
        """Every plan by its key (a static table: nothing to batch)."""
        return dict(billing.PLANS)

    def actor(self) -> Actor | None:
        """The caller, or None when anonymous."""
        return self._actor()
