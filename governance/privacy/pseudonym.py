"""The keyed pseudonym an erased person's audit entries keep.

HMAC-SHA256 of the person's row id under a secret key (``Settings.pseudonym_key``): the same person always gets
the same pseudonym, so an auditor can still see that several entries concern one (erased) person, while nobody
without the key can test a guess ("was this Maya?") against it — a plain hash of an id or email could be.
"""

from __future__ import annotations

# One function makes it, in storage: every audit entry carries it from insert time (storage.audit_keys).
from storage.audit_keys import PREFIX, pseudonym

__all__ = ["PREFIX", "TOMBSTONE_NAME", "pseudonym", "tombstone_email"]


def tombstone_email(ref: str) -> str:
    """The erased person's directory row keeps a unique, undeliverable address made of the pseudonym."""
    return f"{ref}@erased.invalid"


TOMBSTONE_NAME = "Erased person"
