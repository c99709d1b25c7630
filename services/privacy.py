"""What of a profile's contact details a visitor may see: the e-mail address and
the phone number only where the owner turned on `showEmail` / `showPhone`."""

from __future__ import annotations

from dataclasses import dataclass

from models.profiles import Profile


@dataclass(frozen=True, slots=True)
class PublicContact:
    email: str | None
    phone: str | None


def public_contact(profile: Profile) -> PublicContact:
    """The contact details the public face shows (None for a hidden one)."""
    return PublicContact(
        email=profile.email if profile.show_email else None,
        phone=profile.phone if profile.show_phone else None,
    )
