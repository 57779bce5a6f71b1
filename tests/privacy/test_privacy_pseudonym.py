"""The pseudonym key: from settings, or generated once into the data folder; the pseudonym is keyed and stable."""

from __future__ import annotations

import stat

import pytest
from pydantic import ValidationError

from governance.privacy.pseudonym import pseudonym
from settings import Settings


def test_a_generated_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    settings = Settings(data_dir=tmp_path)
    key = settings.pseudonym_key()
    path = tmp_path / "privacy-pseudonym.key"
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path).pseudonym_key() == key  # the next start reads the same key


def test_a_configured_key_is_used_and_must_be_long_and_not_a_placeholder(tmp_path):
    configured = Settings(data_dir=tmp_path, privacy_pseudonym_key="k" * 8 + "-a-real-key-of-enough-length-2026")
    assert configured.pseudonym_key().endswith(b"2026") and not (tmp_path / "privacy-pseudonym.key").exists()
    with pytest.raises(ValueError, match="at least 32"):
        Settings(data_dir=tmp_path, privacy_pseudonym_key="short-key").pseudonym_key()
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(data_dir=tmp_path, privacy_pseudonym_key="changeme")


def test_the_pseudonym_depends_on_the_key_and_is_stable_per_person():
    a, b = b"a" * 32, b"b" * 32
    assert pseudonym(a, 7) == pseudonym(a, 7) != pseudonym(a, 8)
    assert pseudonym(a, 7) != pseudonym(b, 7)
    prefix, digest = pseudonym(a, 7).split("-", 1)
    assert prefix == "erased" and len(digest) == 32 and int(digest, 16) >= 0
