"""Export (GDPR Art. 15/20, CCPA right to know): everything about the person, nothing about anyone else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from governance.permissions import Capability, Target, refusal
from governance.privacy.export import SCHEMA_VERSION, SECTIONS
from privacy_helpers import DANIEL, MAYA, PRIYA, make_victim, prepare, say
from storage.models import AuditEvent, Person


def _export_of(reply):
    files = {a.filename.rsplit(".", 1)[1]: a for a in reply.attachments}
    assert set(files) == {"json", "md"}, reply.text
    assert files["json"].content_type == "application/json" and files["md"].content_type == "text/markdown"
    return json.loads(files["json"].data), files["md"].data.decode()


def test_export_my_data_holds_every_kind_of_record_and_nothing_about_others(fresh_demo, tmp_path):
    ladder = fresh_demo
    prepare(ladder)
    victim = make_victim(ladder, tmp_path, with_handbook=False)

    reply = say(ladder, victim.email, "export my data")
    assert reply.data["intent"] == "export_data" and reply.data["status"] == "exported", reply.text
    data, summary = _export_of(reply)
    assert data["schema"] == SCHEMA_VERSION
    assert data["profile"]["email"] == victim.email and data["profile"]["name"] == victim.name
    empty = [name for name in SECTIONS if name != "proposals_for_me_to_decide" and not data[name]]
    assert empty == [], empty
    assert {c["external_id"] for c in data["chat_identities"]} == {victim.slack_id, victim.teams_id}
    assert any("statistics at university" in c["reason"] for c in data["challenges"])
    assert any(e["course_code"] == "DB120" for e in data["enrolments"])
    assert any(e["evidence_type"] == "self_assessment" for e in data["skill_evidence"])
    assert any("it can wait" in (d["reason"] or "") for d in data["decisions_i_made"])
    assert any(c["key"].startswith("terminal:") for c in data["conversations"])
    assert "How much leave" in json.dumps(data) or "how much leave" in json.dumps(data)
    assert summary.startswith(f"# What Ladder holds about {victim.name}") and "## Skills evidence" in summary

    # Nothing about anyone else: no other person's name, email or row id under a person key.
    text = json.dumps(data)
    with ladder.db.session() as s, s.begin():
        others = s.execute(select(Person.id, Person.name, Person.email).where(Person.id != victim.id)).all()
    leaked = [name for _id, name, email in others if name in text or email in text]
    assert leaked == []
    assert all(k not in text for k in ('"approver_id"', '"manager_id"', '"decider_id"', '"with"'))
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.exported", AuditEvent.subject_id == victim.id))


def test_hr_exports_anyone_and_an_employee_is_refused_in_the_permission_model_s_words(fresh_demo, tmp_path):
    ladder = fresh_demo
    prepare(ladder)
    victim = make_victim(ladder, tmp_path, with_handbook=False)

    by_hr = say(ladder, PRIYA, f"export data for {victim.email}")
    assert by_hr.data["status"] == "exported", by_hr.text
    data, _ = _export_of(by_hr)
    assert data["profile"]["id"] == victim.id

    refused = say(ladder, MAYA, f"export data for {victim.email}")
    assert refused.attachments == []
    assert refused.text == refusal(Capability.export_data, Target.anyone)
    # A manager is not HR: Daniel can't export his report's data either.
    assert say(ladder, DANIEL, f"export data for {victim.email}").attachments == []


def test_the_terminal_saves_the_files_and_prints_where(fresh_demo, tmp_path):
    ladder = fresh_demo
    from bot.terminal_chat import one_shot

    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert one_shot(ladder, MAYA, message="export my data", click=None, as_json=True, conversation="t") == 0
    printed = json.loads(out.getvalue())
    paths = [a["path"] for a in printed["attachments"]]
    assert len(paths) == 2 and all(p.startswith(str(ladder.settings.data_dir / "files")) for p in paths)
    saved = json.loads(open(next(p for p in paths if p.endswith(".json"))).read())
    assert saved["profile"]["email"] == MAYA


def test_cli_export_writes_json_and_summary(fresh_demo, tmp_path):
    ladder = fresh_demo
    out = tmp_path / "maya.json"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": ladder.db.url, "DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, str(root / "app.py"), "privacy", "export", MAYA, "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["profile"]["email"] == MAYA
    assert out.with_suffix(".md").read_text().startswith("# What Ladder holds about Maya Patel")
