"""Encryption at rest for personal free text: column types over the ``cryptography`` package's Fernet.

How a column gets its keys (no global key ring, nothing set at import)
---------------------------------------------------------------------
SQLAlchemy hands a column type only the *dialect* when it turns a value into a parameter or a row value back into
Python. Every ``Database`` makes its own engine, and every engine its own dialect instance, so the dialect is the
one object that is both per-database and visible to the type. The composition root (``app.build``) builds a
``Cipher`` from the settings' key ring and passes it to ``Database(url, cipher=...)``; the database attaches it to
its engine's dialect (``attach``) and the types read it back (``cipher_of``). Two databases with different keys in
one process each see their own (the rotation tests do exactly that). A database opened without a cipher refuses to
read or write an encrypted column (``EncryptionUnavailable``): encryption fails closed.

What is stored
--------------
``enc1:<key id>:<Fernet token>``. The version tag ``enc1:`` tells ciphertext from the plaintext rows written before
migration 0006 (read as they are, and encrypted by ``python app.py keys rotate``); the key id (the first 8 hex digits
of the key's SHA-256, never the key) says which key wrote the row, so ``keys status`` can count rows per key with
plain SQL and an operator knows when an old key can be retired. Fernet is AES-128-CBC with HMAC-SHA256, a random IV
and a timestamp: the same text never gives the same ciphertext, so encrypted columns cannot be searched or compared
in SQL (none of Ladder's queries does).

Which columns
-------------
Whatever a model declares with ``EncryptedText`` or ``EncryptedJSON``: ``storage.models.ENCRYPTED_COLUMNS`` is read
off the metadata, so the rotation job, ``keys status``, the docs' list (docs/encryption.md, checked by a test) and
the models cannot disagree. To encrypt a new table's column (e.g. demographics' ``sex``, ``race_ethnicity``), declare
it ``mapped_column(EncryptedText)`` and create it as ``sa.Text`` in its migration; nothing else changes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

VERSION_TAG = "enc1:"
KEY_ID_LENGTH = 8
STORED_PREFIX_LENGTH = len(VERSION_TAG) + KEY_ID_LENGTH + 1  # "enc1:" + key id + ":"
_DIALECT_ATTRIBUTE = "ladder_cipher"


class EncryptionError(Exception):
    """A value could not be encrypted or decrypted; the message says what an operator should do."""


class EncryptionUnavailable(EncryptionError):
    pass


class UnknownKey(EncryptionError):
    pass


def key_id(key: str | bytes) -> str:
    raw = key.encode() if isinstance(key, str) else key
    return hashlib.sha256(raw.strip()).hexdigest()[:KEY_ID_LENGTH]


def is_valid_key(key: str) -> bool:
    """A Fernet key: 32 bytes in URL-safe base64 (what ``python app.py keys new`` prints)."""
    try:
        return len(base64.urlsafe_b64decode(key.strip().encode())) == 32
    except (binascii.Error, ValueError):
        return False


def stored_key_id(stored: str) -> str | None:
    """The id of the key a stored value was written with; None for a legacy plaintext value."""
    if not stored.startswith(VERSION_TAG) or len(stored) < STORED_PREFIX_LENGTH or stored[STORED_PREFIX_LENGTH - 1] != ":":
        return None
    return stored[len(VERSION_TAG):STORED_PREFIX_LENGTH - 1]


class Cipher:
    """A key ring, newest key first: encrypts under the newest, reads under any, re-encrypts under the newest."""

    def __init__(self, keys: Sequence[str]) -> None:
        keys = [k.strip() for k in keys if k.strip()]
        if not keys:
            raise EncryptionUnavailable("no encryption key given: set ENCRYPTION_KEYS or ENCRYPTION_KEY_FILE")
        bad = [i + 1 for i, k in enumerate(keys) if not is_valid_key(k)]
        if bad:
            raise EncryptionError(f"encryption key number {bad[0]} is not a Fernet key (python app.py keys new makes one)")
        self.key_ids: tuple[str, ...] = tuple(dict.fromkeys(key_id(k) for k in keys))
        self._by_id = {key_id(k): Fernet(k.encode()) for k in reversed(keys)}  # the first listed wins a duplicate
        self._newest = self._by_id[self.key_ids[0]]
        self._ring = MultiFernet([self._by_id[i] for i in self.key_ids])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    @classmethod
    def throwaway(cls) -> "Cipher":
        """A fresh random key for a database that lives only as long as this process (benches, evaluations)."""
        return cls([cls.generate_key()])

    @property
    def newest_key_id(self) -> str:
        return self.key_ids[0]

    def encrypt(self, plaintext: str) -> str:
        return f"{VERSION_TAG}{self.newest_key_id}:{self._newest.encrypt(plaintext.encode()).decode()}"

    def decrypt(self, stored: str) -> str:
        kid = stored_key_id(stored)
        if kid is None:
            return stored  # written before encryption was switched on; `keys rotate` encrypts it
        fernet = self._by_id.get(kid)
        if fernet is None:
            raise UnknownKey(f"a value is encrypted under key {kid}, which is not among the configured keys "
                             f"({', '.join(self.key_ids)}): add it back to ENCRYPTION_KEYS")
        try:
            return fernet.decrypt(stored[STORED_PREFIX_LENGTH:].encode()).decode()
        except InvalidToken as exc:
            raise EncryptionError(f"a value under key {kid} failed its integrity check (altered or truncated)") from exc

    def needs_rotation(self, stored: str) -> bool:
        return stored_key_id(stored) != self.newest_key_id

    def rotate(self, stored: str) -> str:
        """The same value under the newest key (a legacy plaintext value is encrypted)."""
        kid = stored_key_id(stored)
        if kid is None:
            return self.encrypt(stored)
        if kid not in self._by_id:
            self.decrypt(stored)  # raises UnknownKey with the operator's advice
        token = self._ring.rotate(stored[STORED_PREFIX_LENGTH:].encode())  # keeps Fernet's original timestamp
        return f"{VERSION_TAG}{self.newest_key_id}:{token.decode()}"


def attach(engine: Engine, cipher: Cipher | None) -> None:
    """Give this engine's encrypted columns their key ring (see the module docstring for why the dialect)."""
    setattr(engine.dialect, _DIALECT_ATTRIBUTE, cipher)


def cipher_of(dialect: Dialect) -> Cipher:
    cipher = getattr(dialect, _DIALECT_ATTRIBUTE, None)
    if cipher is None:
        raise EncryptionUnavailable("this database was opened without encryption keys, so encrypted columns "
                                    "can be neither read nor written")
    return cipher


class EncryptedText(TypeDecorator[str]):
    """Text stored encrypted. Legacy plaintext rows read as they are."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else cipher_of(dialect).encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else cipher_of(dialect).decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value (dict, list, ...) stored as encrypted JSON text. SQL NULL stays NULL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return cipher_of(dialect).encrypt(json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(cipher_of(dialect).decrypt(value))


ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)


def create_key_file(path: Path) -> str:
    """A new key in a new file readable by its owner only (0600 from the start, never world-readable for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Cipher.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# Ladder demo encryption key (newest first). Losing it loses the encrypted data.\n" + key + "\n")
    return key
