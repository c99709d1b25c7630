"""Stored files (exports, rendered PDFs) and their expiring signed links.

A link is `/files/<token>`: the token is a signed JWT naming the file and its
expiry, so it cannot be guessed or altered, and it stops working when it expires
(the file row itself is kept until `expires_at`, then pruned).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from models.files import StoredFile


class FileLinkInvalid(Exception):
    """The token is forged, altered, expired, or names a file that is gone."""


@dataclass(frozen=True, slots=True)
class Signer:
    secret_key: str
    ttl: int

    @property
    def _key(self) -> bytes:
        return hashlib.sha256(b"files:" + self.secret_key.encode()).digest()

    def sign(self, file_id: int, *, now: float | None = None) -> tuple[str, datetime]:
        expires = int((now or time.time()) + self.ttl)
        token = jwt.encode({"f": file_id, "exp": expires}, self._key, algorithm="HS256")
        return token, datetime.fromtimestamp(expires, UTC)

    def verify(self, token: str) -> int:
        try:
            claims = jwt.decode(
                token, self._key, algorithms=["HS256"], options={"require": ["exp"]}
            )
            return int(claims["f"])
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            raise FileLinkInvalid("This link is invalid or has expired") from None


async def store(
    *,
    organization_id: int,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
    keep_for: timedelta,
) -> StoredFile:
    return await StoredFile.create(
        organization_id=organization_id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        data=data,
        expires_at=datetime.now(UTC) + keep_for,
    )


async def fetch(*, signer: Signer, token: str) -> StoredFile:
    file_id = signer.verify(token)
    row = await StoredFile.get_or_none(id=file_id)
    if row is None or row.expires_at <= datetime.now(UTC):
        raise FileLinkInvalid("This link is invalid or has expired")
    return row


async def prune_expired(*, organization_id: int | None = None) -> int:
    """Delete expired files (of one organization, or all)."""
    query = StoredFile.filter(expires_at__lte=datetime.now(UTC))
    if organization_id is not None:
        query = query.filter(organization_id=organization_id)
    return await query.delete()


async def publish(
    *,
    signer: Signer,
    base_url: str,
    organization_id: int,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
    keep_for: timedelta,
) -> tuple[str, datetime]:
    """Store a file (pruning the organization's expired ones) and return its
    signed download link and the link's expiry."""
    await prune_expired(organization_id=organization_id)
    stored = await store(
        organization_id=organization_id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        data=data,
        keep_for=keep_for,
    )
    token, expires_at = signer.sign(stored.id)
    return f"{base_url}/files/{token}", expires_at
