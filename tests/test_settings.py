"""The one settings object: defaults, placeholders refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings import Settings


def test_database_defaults_to_a_sqlite_file_in_the_data_folder(tmp_path):
    s = Settings(data_dir=tmp_path, _env_file=None)
    assert s.database_url == f"sqlite:///{(tmp_path / 'ladder.db').as_posix()}"


@pytest.mark.parametrize("value", ["changeme", "xoxb-your-token", "<your-secret>", "xxxx", "TODO", "${SLACK_BOT_TOKEN}"])
def test_placeholder_secrets_are_refused(value, tmp_path):
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(data_dir=tmp_path, slack_bot_token=value, _env_file=None)


def test_real_looking_secret_is_kept_secret(tmp_path):
    s = Settings(data_dir=tmp_path, slack_signing_secret="8f14e45fceea167a5a36dedd4bea2543", _env_file=None)
    assert "8f14e45f" not in repr(s)
    assert s.slack_signing_secret.get_secret_value().startswith("8f14")


def test_the_embedding_model_comes_from_chromas_download_unless_a_folder_is_named(tmp_path, monkeypatch):
    for name in ("EMBEDDING_MODEL_DIR", "EMBEDDING_DOWNLOAD"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(data_dir=tmp_path, _env_file=None)
    assert s.embedding_model_dir is None and s.embedding_download is True
    monkeypatch.setenv("EMBEDDING_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("EMBEDDING_DOWNLOAD", "false")
    s = Settings(data_dir=tmp_path, _env_file=None)
    assert s.embedding_model_dir == tmp_path / "model" and s.embedding_download is False
    with pytest.raises(ValidationError, match="embedding_download"):
        Settings(data_dir=tmp_path, embedding_download="sometimes", _env_file=None)


@pytest.mark.parametrize("text, cpus", [("1", {1}), ("0,2-3", {0, 2, 3}), (" 2 , 0 ", {0, 2}), ("", None)])
def test_worker_cpus_are_written_as_taskset_writes_them(text, cpus, tmp_path):
    s = Settings(data_dir=tmp_path, worker_cpus=text, _env_file=None)
    assert s.worker_cpus == (frozenset(cpus) if cpus else None)


@pytest.mark.parametrize("text", ["3-1", "one", "1-", "-1"])
def test_a_worker_cpu_list_that_is_not_one_is_refused(text, tmp_path):
    with pytest.raises(ValidationError, match="not a CPU number or range"):
        Settings(data_dir=tmp_path, worker_cpus=text, _env_file=None)
