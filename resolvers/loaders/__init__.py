"""Per-request DataLoaders (XByYLoader), built fresh in each context.

Every loader is scoped to the caller's organization: an id of another organization loads
as None, exactly like an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
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
    def __init__(self, actor: Callable[[], Actor | None]) -> None:
        self._actor = actor
        self.user_by_id = DataLoader[int, User | None](load_fn=self._users)
        self.organization_by_id = DataLoader[int, Organization | None](
            load_fn=self._organizations
        )
        self.api_key_by_id = DataLoader[int, ApiKey | None](load_fn=self._api_keys)
        self.security_event_by_id = DataLoader[int, SecurityEvent | None](
            load_fn=self._security_events
        )
        self.profiles = ProfileLoaders(actor, self._plan_of)
        self.resume_by_id = DataLoader[int, Resume | None](load_fn=self._resumes)
        self.agents = AgentLoaders(actor)
        self.chat = self.indexing = IndexingLoaders(actor)
        self.tailoring = TailoringLoaders(actor)
        self.entitlement_by_org = DataLoader[int, entitlements.Entitlement](
            load_fn=self._entitlements
        )

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
        self, *, first: int, before_id: int | None
    ) -> list[SecurityEvent]:
        return await accounts.list_security_events(
            actor=self._require_actor(), first=first, before_id=before_id
        )

    async def usage(self, *, start: date, end: date) -> list[usage.UsageRow]:
        return await usage.usage(
            organization_id=self._require_actor().organization_id, start=start, end=end
        )

    def plan(self, plan_id: str) -> billing.Plan:
        return billing.get_plan(plan_id)
