"""The keyed values an audit entry carries from the moment it is written: who it concerns and who did it, as a
keyed pseudonym, and a keyed digest of its detail.

One function makes the pseudonym: the same one the erasure leaves behind (``governance.privacy.pseudonym``
re-exports it), so an entry's ``subject_ref`` / ``actor_ref`` are the same before and after the person is erased
and the hash chain over them (``storage.audit_chain``) stays valid. Both are HMAC-SHA256 under the pseudonym key
(``Settings.pseudonym_key``): without the key nobody can test a guess ("was this Maya?", "did the reason say
X?") against them, as they could against a plain hash of an id or of a short text.

The key is handed in by the composition root (``app.build``) as bytes or as a callable read on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

PREFIX = "erased-"


def pseudonym(key: bytes, person_id: int) -> str:
    digest = hmac.new(key, f"ladder-person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]


def canonical_json(value: Any) -> str:
    """The detail as the database gives it back: serialised as ``EncryptedJSON`` stores it, read back, then
    written with sorted keys — so a digest made before encryption matches one made from the decrypted column."""
    stored = json.loads(json.dumps(value if value is not None else {}, separators=(",", ":"), ensure_ascii=False))
    return json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class AuditKeys:
    """The pseudonym key, and the two HMACs an audit insert adds."""

    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        self._key = key

    @property
    def key(self) -> bytes:
        if callable(self._key):
            self._key = self._key()
        return self._key

    def ref(self, person_id: int | None) -> str | None:
        return None if person_id is None else pseudonym(self.key, person_id)

    def digest(self, detail: dict[str, Any] | None) -> str:
        message = b"ladder-audit-detail:" + canonical_json(detail).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def stamp(self, entry: dict[str, Any]) -> dict[str, Any]:
        """An entry's columns with its refs and detail digest filled in (refs already given are kept)."""
        entry["subject_ref"] = entry.get("subject_ref") or self.ref(entry.get("subject_id"))
        entry["actor_ref"] = entry.get("actor_ref") or self.ref(entry.get("actor_id"))
        entry["detail_digest"] = self.digest(entry.get("detail") or {})
        return entry
