"""Per-request loaders of the profiles domain: the viewer's profile and each of
its sections are read once per request whatever the query asks, so a full profile
costs a constant number of SQL queries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any, Literal, TypeVar, overload

from strawberry.dataloader import DataLoader

from models.profiles import (
    Certification,
    Education,
    Experience,
    Profile,
    Project,
    SectionRow,
    Skill,
)
from services import profile_cache, profiles
from services.accounts import Actor
from services.profiles import SectionKind

T = TypeVar("T")


class ProfileLoaders:
    def __init__(
        self,
        actor: Callable[[], Actor | None],
        plan_of: Callable[[int], Awaitable[str]],
    ) -> None:
        self._actor = actor
        self._plan_of = plan_of
        self._memo: dict[str, asyncio.Future[Any]] = {}
        self._by_id: dict[SectionKind, DataLoader[int, SectionRow | None]] = {}

    def _once(self, key: str, make: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        future = self._memo.get(key)
        if future is None:
            future = self._memo[key] = asyncio.ensure_future(make())
        return future

    def _org(self) -> int:
        actor = self._actor()
        assert actor is not None, "profile fields are reached only when authenticated"
        return actor.organization_id

    async def profile(self) -> Profile:
        """The viewer's profile (created empty on first use)."""
        org = self._org()
        row: Profile = await self._once(
            "profile", lambda: profiles.get_profile(organization_id=org)
        )
        return row

    async def profile_or_none(self) -> Profile | None:
        if self._actor() is None:
            return None
        return await self.profile()

    # each kind's rows typed as its model (the schema's from_row takes that model)
    @overload
    async def section(self, kind: Literal["skills"]) -> list[Skill]: ...
    @overload
    async def section(self, kind: Literal["experience"]) -> list[Experience]: ...
    @overload
    async def section(self, kind: Literal["education"]) -> list[Education]: ...
    @overload
    async def section(self, kind: Literal["projects"]) -> list[Project]: ...
    @overload
    async def section(self, kind: Literal["certifications"]) -> list[Certification]: ...
    @overload
    async def section(self, kind: SectionKind) -> list[SectionRow]: ...
    async def section(self, kind: SectionKind) -> Sequence[SectionRow]:
        org = self._org()
        rows: list[SectionRow] = await self._once(
            f"section:{kind}",
            lambda: profile_cache.read_section(organization_id=org, kind=kind),
        )
        return rows

    async def theme(
        self,
    ) -> tuple[profiles.ThemeState, tuple[profiles.ThemeOption, ...]]:
        profile = await self.profile()
        plan = await self._plan_of(self._org())
        return profiles.theme_state(profile, plan), profiles.THEMES

    async def layout(
        self,
    ) -> tuple[profiles.LayoutState, tuple[profiles.FontOption, ...]]:
        profile = await self.profile()
        plan = await self._plan_of(self._org())
        return profiles.layout_state(profile, plan), profiles.FONT_OPTIONS

    async def insights(self, *, start: date, end: date) -> list[tuple[date, int]]:
        return await profiles.insights(
            organization_id=self._org(), start=start, end=end
        )

    @overload
    def row_by_id(self, kind: Literal["skills"]) -> DataLoader[int, Skill | None]: ...
    @overload
    def row_by_id(
        self, kind: Literal["experience"]
    ) -> DataLoader[int, Experience | None]: ...
    @overload
    def row_by_id(
        self, kind: Literal["education"]
    ) -> DataLoader[int, Education | None]: ...
    @overload
    def row_by_id(
        self, kind: Literal["projects"]
    ) -> DataLoader[int, Project | None]: ...
    @overload
    def row_by_id(
        self, kind: Literal["certifications"]
    ) -> DataLoader[int, Certification | None]: ...
    @overload
    def row_by_id(self, kind: SectionKind) -> DataLoader[int, SectionRow | None]: ...
    def row_by_id(self, kind: SectionKind) -> DataLoader[int, Any]:
        # Any: the overloads above type the loader by kind; DataLoader is invariant
        loader = self._by_id.get(kind)
        if loader is None:

            async def load(ids: list[int]) -> list[SectionRow | None]:
                actor = self._actor()
                if actor is None:
                    return [None] * len(ids)
                rows = await profiles.get_section_rows(
                    organization_id=actor.organization_id, kind=kind, ids=ids
                )
                found = {row.id: row for row in rows}
                return [found.get(i) for i in ids]

            loader = self._by_id[kind] = DataLoader(load_fn=load)
        return loader

    def forget(self) -> None:
        """Drop what was read (after a mutation changed it)."""
        self._memo.clear()
        self._by_id.clear()
