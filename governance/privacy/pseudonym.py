"""The keyed pseudonym an erased person's audit entries keep.

HMAC-SHA256 of the person's row id under a secret key (``Settings.pseudonym_key``): the same person always gets
the same pseudonym, so an auditor can still see that several entries concern one (erased) person, while nobody
without the key can test a guess ("was this Maya?") against it — a plain hash of an id or email could be.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "erased-"


def pseudonym(key: bytes, person_id: int) -> str:
    digest = hmac.new(key, f"ladder-person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]


def tombstone_email(ref: str) -> str:
    """The erased person's directory row keeps a unique, undeliverable address made of the pseudonym."""
    return f"{ref}@erased.invalid"


TOMBSTONE_NAME = "Erased person"
