"""Encryption at rest on both databases: ciphertext in the tables, rotation from key 1 to key 2 (resumable),
legacy plaintext rows, and the start-up rules (production refuses without a key, the demo makes one)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import event, select, text

from app import build
from settings import Settings
from storage import Database
from storage.db import MIGRATIONS_DIR
from storage.encryption import Cipher, EncryptionUnavailable, UnknownKey, stored_key_id
from storage.key_rotation import PLAINTEXT, key_usage, rotate
from storage.models import (
    ENCRYPTED_COLUMNS,
    AnswerFeedback,
    Application,
    ApplicationStatus,
    AuditEvent,
    Challenge,
    ConversationState,
    Decision,
    Demographic,
    EvidenceType,
    Opportunity,
    OpportunityKind,
    Person,
    Proposal,
    ProposalStatus,
    Skill,
    SkillEvidence,
    XapiStatement,
)
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
KEY1, KEY2 = Cipher.generate_key(), Cipher.generate_key()
ID1, ID2 = Cipher([KEY1]).newest_key_id, Cipher([KEY2]).newest_key_id
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc)

# One distinctive sentence per encrypted column, so the raw table can be searched for it.
SECRETS = {
    ("conversation_state", "data"): "asked about my burnout leave",
    ("answer_feedback", "question"): "how much sick leave for my chemotherapy",
    ("audit_events", "detail"): "my manager never saw the Kubernetes work",
    ("skill_evidence", "note"): "I led the migration alone during my divorce",
    ("challenges", "subject"): "the stretch project went to someone else",
    ("challenges", "reason"): "I was on parental leave when it was decided",
    ("challenges", "resolution"): "upheld after talking to Priya",
    ("decisions", "reason"): "Dev is struggling since the reorganisation",
    ("decisions", "changes"): "swap to the evening cohort for childcare",
    ("demographics", "sex"): "intersex",
    ("demographics", "race_ethnicity"): "Pacific Islander",
    ("opportunity_applications", "note"): "I need the hours away from my team's toxic lead",
    ("xapi_statements", "body"): "my quiz answer was about the layoffs",
}


@pytest.fixture
def open_db(db_factory):
    """``open_db(url, keys)``: the same database opened with another key ring, as a restarted Ladder would."""
    opened: list[Database] = []

    def open_(url: str, keys: list[str] | None) -> Database:
        db = Database(url, cipher=Cipher(keys) if keys else None)
        opened.append(db)
        return db

    yield open_
    for db in opened:
        db.dispose()


def write_personal_text(db: Database) -> None:
    with db.unit_of_work() as uow:
        person = Person(name="Dev Raman", email="dev@kestrel.example")
        skill = Skill(uri="esco:k8s", label="Kubernetes")
        uow.add(person)
        uow.add(skill)
        uow.flush()
        proposal = Proposal(action_type="enrol", subject_id=person.id, status=ProposalStatus.overridden)
        uow.add(proposal)
        uow.flush()
        uow.add(ConversationState(key="slack:D1", data={"topic": "leave", "said": SECRETS[("conversation_state", "data")]}))
        uow.add(AnswerFeedback(answer_id="a1", person_id=person.id, helpful=False,
                               question=SECRETS[("answer_feedback", "question")]))
        uow.add(AuditEvent(action="challenge.opened", subject_id=person.id, at=NOW,
                           detail={"reason": SECRETS[("audit_events", "detail")]}))
        uow.add(SkillEvidence(person_id=person.id, skill_id=skill.id, evidence_type=EvidenceType.self_assessment,
                              level=3, note=SECRETS[("skill_evidence", "note")]))
        uow.add(Challenge(person_id=person.id, proposal_id=proposal.id, subject=SECRETS[("challenges", "subject")],
                          reason=SECRETS[("challenges", "reason")], resolution=SECRETS[("challenges", "resolution")]))
        uow.add(Decision(proposal_id=proposal.id, decider_id=person.id, outcome=ProposalStatus.overridden,
                         reason=SECRETS[("decisions", "reason")],
                         changes={"cohort": "evening", "why": SECRETS[("decisions", "changes")]}))
        uow.add(Demographic(person_id=person.id, sex=SECRETS[("demographics", "sex")],
                            race_ethnicity=SECRETS[("demographics", "race_ethnicity")]))
        opportunity = Opportunity(kind=OpportunityKind.gig, title="Kubernetes upgrade", status="open")
        uow.add(opportunity)
        uow.flush()
        uow.add(Application(opportunity_id=opportunity.id, person_id=person.id, status=ApplicationStatus.applied,
                            note=SECRETS[("opportunity_applications", "note")]))
        uow.add(XapiStatement(statement_id="0e5f7c1a-0000-4000-8000-000000000001", digest="0" * 64, verb_id="http://e.com/v",
                              body={"result": {"response": SECRETS[("xapi_statements", "body")]}}, stored=NOW, effects={}))


def read_personal_text(db: Database) -> dict[tuple[str, str], str]:
    with db.read_only() as uow:
        s = uow._session
        challenge = s.scalars(select(Challenge)).one()
        decision = s.scalars(select(Decision)).one()
        return {
            ("conversation_state", "data"): s.get(ConversationState, "slack:D1").data["said"],
            ("answer_feedback", "question"): s.scalars(select(AnswerFeedback)).one().question,
            ("audit_events", "detail"): s.scalars(select(AuditEvent)).one().detail["reason"],
            ("skill_evidence", "note"): s.scalars(select(SkillEvidence)).one().note,
            ("challenges", "subject"): challenge.subject,
            ("challenges", "reason"): challenge.reason,
            ("challenges", "resolution"): challenge.resolution,
            ("decisions", "reason"): decision.reason,
            ("decisions", "changes"): decision.changes["why"],
            ("demographics", "sex"): s.scalars(select(Demographic)).one().sex,
            ("demographics", "race_ethnicity"): s.scalars(select(Demographic)).one().race_ethnicity,
            ("opportunity_applications", "note"): s.scalars(select(Application)).one().note,
            ("xapi_statements", "body"): s.scalars(select(XapiStatement)).one().body["result"]["response"],
        }


def raw_values(db: Database, table: str, column: str) -> list[str]:
    with db.engine.connect() as conn:
        return [str(v) for (v,) in conn.execute(text(f"SELECT {column} FROM {table}")) if v is not None]


def raw_rows(db: Database, table: str) -> str:
    with db.engine.connect() as conn:
        return repr(conn.execute(text(f"SELECT * FROM {table}")).all())


def test_every_personal_column_is_listed_and_the_docs_list_the_same(tmp_path):
    assert set(ENCRYPTED_COLUMNS) == set(SECRETS)
    documented = set(re.findall(r"^\| `(\w+)\.(\w+)` \|", (ROOT / "docs" / "encryption.md").read_text(), re.M))
    assert documented == set(ENCRYPTED_COLUMNS)


def test_written_under_key_1_the_tables_hold_ciphertext_and_the_orm_reads_it_back(db_factory, open_db):
    db = open_db(db_factory.url(), [KEY1])
    db.migrate()
    write_personal_text(db)
    for (table, column), secret in SECRETS.items():
        values = raw_values(db, table, column)
        assert values and all(v.startswith(f"enc1:{ID1}:") for v in values), (table, column, values)
        assert secret not in raw_rows(db, table), (table, column)
    assert read_personal_text(db) == SECRETS


def test_same_text_twice_gives_different_ciphertext(db_factory, open_db):
    db = open_db(db_factory.url(), [KEY1])
    db.migrate()
    write_personal_text(db)
    with db.unit_of_work() as uow:
        uow.add(ConversationState(key="slack:D2", data={"topic": "leave", "said": SECRETS[("conversation_state", "data")]}))
    first, second = raw_values(db, "conversation_state", "data")
    assert first != second


def test_rotating_to_key_2_lets_key_1_be_retired(db_factory, open_db):
    url = db_factory.url()
    old = open_db(url, [KEY1])
    old.migrate()
    write_personal_text(old)
    with pytest.raises(UnknownKey, match=ID1):  # key 2 alone cannot read what key 1 wrote: rotation is needed
        read_personal_text(open_db(url, [KEY2]))

    both = open_db(url, [KEY2, KEY1])
    assert read_personal_text(both) == SECRETS  # reads under either key before any rotation
    with both.unit_of_work() as uow:
        uow.add(ConversationState(key="slack:D3", data={"said": "written after the new key was added"}))
    assert {kid for c in key_usage(both) for kid in c.counts} == {ID1, ID2}

    report = rotate(both, batch=2)
    assert report.target_key_id == ID2 and report.rows_changed == len(SECRETS)  # the new challenge was under key 2
    assert all(set(c.counts) == {ID2} for c in key_usage(both) if c.counts)
    for table, column in SECRETS:
        assert all(stored_key_id(v) == ID2 for v in raw_values(both, table, column))

    only_new = open_db(url, [KEY2])
    assert read_personal_text(only_new) == SECRETS
    assert rotate(only_new).already_done  # a finished run says so and changes nothing


def test_an_interrupted_rotation_continues_where_it_stopped(db_factory, open_db):
    url = db_factory.url()
    old = open_db(url, [KEY1])
    old.migrate()
    with old.unit_of_work() as uow:
        person = Person(name="Ana", email="ana@kestrel.example")
        uow.add(person)
        uow.flush()
        for i in range(25):
            uow.add(Challenge(person_id=person.id, subject=f"subject {i}", reason=f"reason number {i}"))

    new = open_db(url, [KEY2, KEY1])

    class Stopped(Exception):
        pass

    def stop_after_first_reason_batch(progress):
        if progress.name == "challenges.reason":
            raise Stopped

    with pytest.raises(Stopped):
        rotate(new, batch=10, on_batch=stop_after_first_reason_batch)
    reasons = raw_values(new, "challenges", "reason")
    assert sum(stored_key_id(v) == ID2 for v in reasons) == 10  # the batch committed before the stop
    assert all(stored_key_id(v) == ID2 for v in raw_values(new, "challenges", "subject"))  # finished before it

    seen: list[tuple[str, int]] = []
    report = rotate(new, batch=10, on_batch=lambda p: seen.append((p.name, p.rows_seen)))
    by_name = {c.name: c for c in report.columns}
    assert by_name["challenges.subject"].already_done
    assert by_name["challenges.reason"].resumed_after is not None
    assert [n for name, n in seen if name == "challenges.reason"] == [20, 25]  # continued after row 10
    assert by_name["challenges.reason"].rows_changed == 25
    assert all(stored_key_id(v) == ID2 for v in raw_values(new, "challenges", "reason"))
    with open_db(url, [KEY2]).read_only() as uow:
        assert sorted(c.reason for c in uow._session.scalars(select(Challenge))) == sorted(
            f"reason number {i}" for i in range(25))


def test_a_value_the_application_changes_during_a_batch_is_not_overwritten(db_factory, open_db):
    url = db_factory.url()
    old = open_db(url, [KEY1])
    old.migrate()
    write_personal_text(old)
    rotating, running_app = open_db(url, [KEY2, KEY1]), open_db(url, [KEY2, KEY1])
    changed: list[str] = []

    def the_app_writes_between_read_and_update(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE challenges SET reason") and not changed:
            with running_app.unit_of_work() as uow:  # another connection, committed before the batch's update runs
                uow._session.scalars(select(Challenge)).one().reason = "changed by the application meanwhile"
            changed.append(statement)

    event.listen(rotating.engine, "before_cursor_execute", the_app_writes_between_read_and_update)
    rotate(rotating)
    assert changed
    retired = read_personal_text(open_db(url, [KEY2]))
    assert retired[("challenges", "reason")] == "changed by the application meanwhile"
    assert retired[("challenges", "subject")] == SECRETS[("challenges", "subject")]


def test_rows_from_before_encryption_read_as_they_are_and_rotation_encrypts_them(db_factory, open_db):
    db = open_db(db_factory.url(), [KEY1])
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection_engine"] = db.engine
    command.upgrade(cfg, "0003")  # the schema as it was before migration 0006
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO people (name, email, access_role, active) "
                          "VALUES ('Lee', 'lee@kestrel.example', 'employee', true)"))
        conn.execute(text("INSERT INTO challenges (person_id, subject, reason, status, created_at) "
                          "VALUES (1, 'my review', 'written in the clear in 2025', 'open', :at)"), {"at": NOW})
        conn.execute(text("INSERT INTO conversation_state (key, data, updated_at) VALUES ('teams:C9', :d, :at)"),
                     {"d": json.dumps({"topic": "pension", "said": "my old plaintext question"}), "at": NOW})
    db.migrate()  # 0006: the JSON column becomes text; its rows stay as they were

    with db.read_only() as uow:
        assert uow._session.scalars(select(Challenge)).one().reason == "written in the clear in 2025"
        assert uow.conversations.context("teams:C9")["said"] == "my old plaintext question"
    usage = {c.name: c.counts for c in key_usage(db)}
    assert usage["challenges.reason"] == {PLAINTEXT: 1} and usage["conversation_state.data"] == {PLAINTEXT: 1}

    rotate(db)
    assert "written in the clear" not in raw_rows(db, "challenges")
    assert "plaintext question" not in raw_rows(db, "conversation_state")
    with db.read_only() as uow:
        assert uow._session.scalars(select(Challenge)).one().reason == "written in the clear in 2025"
        assert uow.conversations.context("teams:C9") == {"topic": "pension", "said": "my old plaintext question"}


def test_a_database_opened_without_keys_refuses_encrypted_columns(db_factory, open_db):
    db = open_db(db_factory.url(), None)
    db.migrate()
    with pytest.raises(Exception, match="opened without encryption keys") as refused:
        with db.unit_of_work() as uow:
            uow.add(ConversationState(key="k", data={"said": "anything"}))
    assert isinstance(refused.value.orig, EncryptionUnavailable)  # SQLAlchemy wraps what the column type raised
    assert raw_values(db, "conversation_state", "data") == []


# --------------------------------------------------------------------------- settings and start-up


def _no_key_env(monkeypatch) -> None:
    for name in ("ENCRYPTION_KEYS", "ENCRYPTION_KEY_FILE", "LADDER_ENV"):
        monkeypatch.delenv(name, raising=False)


def test_production_without_a_key_is_refused_by_settings(tmp_path, monkeypatch):
    _no_key_env(monkeypatch)
    with pytest.raises(ValidationError, match="LADDER_ENV=production needs an encryption key"):
        Settings(data_dir=tmp_path, ladder_env="production", _env_file=None)
    (tmp_path / "encryption.key").write_text(KEY1)  # the demo's file does not count in production
    with pytest.raises(ValidationError, match="needs an encryption key"):
        Settings(data_dir=tmp_path, ladder_env="production", _env_file=None)
    keys = tmp_path / "keys"
    keys.write_text(f"# newest first\n{KEY2}\n{KEY1}\n")
    s = Settings(data_dir=tmp_path, ladder_env="production", encryption_key_file=keys, _env_file=None)
    assert s.encryption_key_ring() == (KEY2, KEY1)
    s = Settings(data_dir=tmp_path, ladder_env="production", encryption_keys=f"{KEY2}, {KEY1}", _env_file=None)
    assert s.encryption_key_ring() == (KEY2, KEY1) and KEY2 not in repr(s)


@pytest.mark.parametrize("value", ["changeme", "<your-key>", "${ENCRYPTION_KEYS}", "not-a-fernet-key", "c2hvcnQ="])
def test_placeholder_or_malformed_keys_are_refused(value, tmp_path):
    with pytest.raises(ValidationError, match="placeholder|not a Fernet key"):
        Settings(data_dir=tmp_path, encryption_keys=value, _env_file=None)


def test_a_key_file_with_a_bad_line_is_refused(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text(f"{KEY1}\npaste-the-key-here\n")
    with pytest.raises(ValidationError, match="not a Fernet key"):
        Settings(data_dir=tmp_path, encryption_key_file=keys, _env_file=None)
    with pytest.raises(ValidationError, match="does not exist"):
        Settings(data_dir=tmp_path, encryption_key_file=tmp_path / "missing", _env_file=None)


def test_the_demo_makes_a_key_of_its_own_once_and_says_so(tmp_path, monkeypatch, caplog):
    _no_key_env(monkeypatch)
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'demo.db'}", _env_file=None)
    with caplog.at_level(logging.WARNING, logger="ladder"):
        first = build(settings)
    key_file = tmp_path / "encryption.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    said = [r.getMessage() for r in caplog.records if "encryption key" in r.getMessage()]
    assert len(said) == 1 and str(key_file) in said[0] and "production" in said[0]
    with first.db.unit_of_work() as uow:
        uow.conversations.remember("terminal:x", {"said": "kept across restarts"})
    first.db.dispose()

    caplog.clear()
    content = key_file.read_text()
    with caplog.at_level(logging.WARNING, logger="ladder"):
        again = build(settings)
    assert key_file.read_text() == content and not [r for r in caplog.records if "encryption key" in r.getMessage()]
    with again.db.read_only() as uow:
        assert uow.conversations.context("terminal:x") == {"said": "kept across restarts"}
    assert all(v.startswith("enc1:") for v in raw_values(again.db, "conversation_state", "data"))
    again.db.dispose()


# --------------------------------------------------------------------------- the command line


def _run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, APP, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def _env(tmp: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_", "ENCRYPTION_", "LADDER_"))}
    env.update(DATA_DIR=str(tmp / "var"), **extra)
    return env


def test_production_without_a_key_does_not_start_and_keys_new_still_works(tmp_path):
    env = _env(tmp_path, LADDER_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    refused = _run(["db", "upgrade"], env, tmp_path)
    assert refused.returncode == 2
    assert "needs an encryption key" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "p.db").exists()
    made = _run(["keys", "new"], env, tmp_path)
    assert made.returncode == 0
    key = made.stdout.splitlines()[0]
    assert Cipher([key]).newest_key_id in made.stdout
    started = _run(["db", "upgrade"], {**env, "ENCRYPTION_KEYS": key}, tmp_path)
    assert started.returncode == 0, started.stderr


def test_keys_status_and_rotate_on_the_command_line(db_factory, open_db, tmp_path):
    url = db_factory.url()
    old = open_db(url, [KEY1])
    old.migrate()
    write_personal_text(old)
    env = _env(tmp_path, DATABASE_URL=url, ENCRYPTION_KEYS=f"{KEY2},{KEY1}")

    before = _run(["keys", "status"], env, tmp_path)
    assert before.returncode == 0, before.stderr
    assert f"key {ID1} (2 of 2): {len(SECRETS)} rows, still in use" in before.stdout

    rotated = _run(["keys", "rotate", "--batch", "3"], env, tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    assert f"now under key {ID2} ({len(SECRETS)} of {len(SECRETS)} rows re-encrypted)" in rotated.stdout
    assert "challenges.reason" in rotated.stdout

    after = _run(["keys", "status"], env, tmp_path)
    assert f"key {ID1} (2 of 2): 0 rows, it can be retired" in after.stdout
    again = _run(["keys", "rotate"], env, tmp_path)
    assert "had already finished on every column" in again.stdout

    only_old = _run(["keys", "status"], {**env, "ENCRYPTION_KEYS": KEY1}, tmp_path)
    assert only_old.returncode == 1 and f"key {ID2} is NOT configured" in only_old.stdout
