"""The corpus resumes imported as profiles, for the indexing and chat benchmarks.

Each of `../shared/corpus/resumes/*.pdf` is parsed offline
(`services.documents.sandbox.parse_document`) and written as an organization's
profile: name, title, location and summary as profile fields, the sections
through `services.imports.candidates` (what `commitImport` writes). The database
is a SQLite file in a temporary folder, migrated like the server's.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tortoise import Tortoise  # noqa: E402

from models.accounts import Organization  # noqa: E402
from models.profiles import Profile  # noqa: E402
from services import indexing  # noqa: E402
from services.documents.sandbox import parse_document  # noqa: E402
from services.imports import candidates  # noqa: E402
from services.profiles import SECTION_MODELS  # noqa: E402
from services.pubsub import MemoryPubSub  # noqa: E402
from settings import Settings, tortoise_config  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "resumes"


def parsed_resumes() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CORPUS.glob("*.pdf")):
        data = parse_document(data=path.read_bytes(), kind="pdf").structured
        out.append((path.stem, dict(data)))
    return out


async def open_database() -> Settings:
    """A migrated SQLite database in a temporary folder; the ORM connected."""
    import server

    folder = Path(tempfile.mkdtemp(prefix="careergraph-bench-"))
    settings = Settings(
        data_dir=folder,
        database_url=f"sqlite://{folder / 'bench.sqlite3'}",
        secret_key="bench",
        index_debounce=0.0,
    )
    await server.migrate(settings)
    await Tortoise.init(config=tortoise_config(settings.database_url))
    indexing.set_deps(indexing.IndexDeps(pubsub=MemoryPubSub(), settings=settings))
    return settings


async def import_profile(name: str, data: dict[str, Any]) -> Profile:
    info = data.get("personalInfo") or {}
    org = await Organization.create(name=name)
    profile = await Profile.create(
        organization_id=org.id,
        username=name.replace("_", "-")[:40],
        full_name=(info.get("name") or None),
        headline=(info.get("title") or None),
        location=(info.get("location") or None),
        bio=(data.get("summary") or None),
    )
    for kind, rows in candidates(data).items():
        model = SECTION_MODELS[kind]
        await model.bulk_create(
            [
                model(
                    organization_id=org.id,
                    profile_id=profile.id,
                    position=i,
                    **row,
                )
                for i, row in enumerate(rows)
            ]
        )
    return profile


async def index_now(profile: Profile, settings: Settings) -> str:
    """Queue and run the profile's index at once (no debounce)."""
    row = await indexing.get_state(organization_id=profile.organization_id)
    await indexing.ProfileIndex.filter(id=row.id).update(state="QUEUED")
    deps = indexing.IndexDeps(pubsub=MemoryPubSub(), settings=settings)
    return await indexing.run(profile_id=profile.id, deps=deps)
