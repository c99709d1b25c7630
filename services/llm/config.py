"""Per-organization model configuration: provider, model, an encrypted API key,
an OpenAI-compatible base URL guarded against SSRF, and generation defaults.

An organization's `apiBase` may not point at loopback, private, link-local,
reserved or multicast addresses (so a tenant cannot make the server call its own
network) unless the operator allows it (`ALLOW_PRIVATE_LLM_HOSTS=1`). The
instance-wide model set by the operator (`LLM_PROVIDER`, `OPENAI_BASE_URL`) is
trusted and not checked.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import re
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken

from models.tailoring import LlmConfig
from services.errors import ValidationFailed

if TYPE_CHECKING:  # services.accounts -> agents -> embeddings -> here
    from services.accounts import Actor

PROVIDERS = ("offline", "openai")
EFFORTS = ("", "minimal", "low", "medium", "high")
STRATEGIES = ("NUDGE", "KEYWORDS", "FULL")
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"llm-keys:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_key(secret_key: str, api_key: str) -> str:
    return _fernet(secret_key).encrypt(api_key.encode()).decode()


def decrypt_key(secret_key: str, token: str) -> str | None:
    """The stored key, or None when there is none or SECRET_KEY changed."""
    if not token:
        return None
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def masked(config: LlmConfig) -> str | None:
    if not config.api_key_encrypted:
        return None
    return f"••••{config.api_key_last_four}"


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def check_api_base(url: str, *, allow_private: bool) -> str:
    """The URL if an organization may use it; raises ValidationFailed otherwise."""
    field = ["apiBase"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("apiBase must be an http(s) URL", field=field)
    if parts.username or parts.password:
        raise ValidationFailed("apiBase must not carry credentials", field=field)
    if allow_private:
        return url
    host = parts.hostname
    try:
        infos = await asyncio.to_thread(
            socket.getaddrinfo, host, parts.port or 443, proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError):
        raise ValidationFailed(
            f"apiBase host {host!r} does not resolve", field=field
        ) from None
    addresses = {str(info[4][0]) for info in infos}
    if not addresses or any(_blocked(a) for a in addresses):
        raise ValidationFailed(
            "apiBase points at a loopback, private or link-local address; the "
            "instance does not allow that",
            field=field,
        )
    return url


async def get_config(
    *, organization_id: int, default_provider: str = "offline"
) -> LlmConfig:
    """The organization's settings; until it saves its own, the instance's
    provider (`LLM_PROVIDER`) with the defaults."""
    config = await LlmConfig.get_or_none(organization_id=organization_id)
    return config or LlmConfig(
        organization_id=organization_id, provider=default_provider
    )


async def update_config(
    *,
    actor: Actor,
    secret_key: str,
    allow_private: bool,
    changes: dict[str, Any],
    default_provider: str = "offline",
) -> LlmConfig:
    """Apply the given fields; left-out fields keep their values. An empty
    `api_key` or `api_base` clears it."""
    actor.require_role("owner", "admin")
    values: dict[str, Any] = {}
    problems: list[tuple[list[str], str]] = []

    def check(ok: bool, field: str, message: str) -> bool:
        if not ok:
            problems.append(([field], message))
        return ok

    if "provider" in changes and check(
        changes["provider"] in PROVIDERS,
        "provider",
        f"provider must be one of {', '.join(PROVIDERS)}",
    ):
        values["provider"] = changes["provider"]
    if "model" in changes and check(
        len(changes["model"] or "") <= 100, "model", "model is at most 100 characters"
    ):
        values["model"] = (changes["model"] or "").strip()
    if "reasoning_effort" in changes and check(
        (changes["reasoning_effort"] or "") in EFFORTS,
        "reasoningEffort",
        "reasoningEffort must be minimal, low, medium or high (empty clears it)",
    ):
        values["reasoning_effort"] = changes["reasoning_effort"] or ""
    if "content_language" in changes and check(
        bool(LANGUAGE_RE.match(changes["content_language"] or "")),
        "contentLanguage",
        "contentLanguage must be a BCP 47 tag such as en or es",
    ):
        values["content_language"] = changes["content_language"]
    if "default_strategy" in changes and check(
        changes["default_strategy"] in STRATEGIES,
        "defaultStrategy",
        "defaultStrategy must be NUDGE, KEYWORDS or FULL",
    ):
        values["default_strategy"] = changes["default_strategy"]
    for flag, api in (
        ("enable_cover_letter", "enableCoverLetter"),
        ("enable_outreach", "enableOutreach"),
    ):
        if flag in changes and check(
            changes[flag] is not None, api, f"{api} must be true or false"
        ):
            values[flag] = bool(changes[flag])
    if "api_key" in changes:
        key = (changes["api_key"] or "").strip()
        if check(len(key) <= 500, "apiKey", "apiKey is at most 500 characters"):
            values["api_key_encrypted"] = encrypt_key(secret_key, key) if key else ""
            values["api_key_last_four"] = key[-4:] if key else ""
    if problems:
        raise ValidationFailed(problems[0][1], field=problems[0][0], problems=problems)
    if "api_base" in changes:
        base = (changes["api_base"] or "").strip()
        if len(base) > 500:
            raise ValidationFailed(
                "apiBase is at most 500 characters", field=["apiBase"]
            )
        values["api_base"] = (
            await check_api_base(base, allow_private=allow_private) if base else ""
        )
    config = await get_config(
        organization_id=actor.organization_id, default_provider=default_provider
    )
    config.update_from_dict(values)
    await config.save()
    return config
