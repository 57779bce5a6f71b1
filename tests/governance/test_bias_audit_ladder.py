"""The bias audit over Ladder's own data: HR asks in chat and gets tables and a chart, anyone else is refused;
demographics are HR-only and never an input — shuffling them across people changes no recommendation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re

import pytest

from conversation import Channel, Message
from governance.permissions import Capability, check
from handlers import bias_audit, career_path, manager_views
from handlers.context import Ladder
from handlers.router import Router
from handlers.seed_demo import SMALL_RACE
from storage.demographics import DemographicsRefused, demographics
from tests.conftest import ROOT

MAYA = "maya.patel@kestrel.example"
PRIYA = "priya.raman@kestrel.example"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)


def ask(ladder: Ladder, text: str, email: str):
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="bias", text=text))


def test_hr_asks_in_chat_and_gets_a_table_and_a_chart(demo):
    reply = ask(demo, "run a bias audit", PRIYA)
    assert reply.data["intent"] == "bias_audit" and reply.data["status"] == "done"
    assert "sex × race_ethnicity" in reply.text and "unknown category: 2" in reply.text
    assert f"{SMALL_RACE}" in reply.text and "excluded (<2%)" in reply.text
    assert "[marketplace_shortlisted]" in reply.text and "[marketplace_placed]" in reply.text
    [chart] = reply.attachments
    assert chart.content_type == "image/png" and chart.data.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.data) > 2000
    assert "0.8" in chart.alt_text
    ready = next(o for o in reply.data["audit"]["outcomes"] if o["outcome"] == "ready_for_role")
    assert ready["total"] == 60
    assert [t["dimension"] for t in ready["tables"]] == ["sex", "race_ethnicity", "sex × race_ethnicity"]


def test_an_employee_asking_is_refused_and_sees_no_figures(demo):
    reply = ask(demo, "are our recommendations fair?", MAYA)
    assert reply.data["intent"] == "bias_audit" and reply.data["status"] == "forbidden"  # the router's refusal
    assert reply.data["capability"] == "run_bias_audit"
    assert not reply.attachments and "HR" in reply.text
    assert not re.search(r"Female|Male|Asian|White|selection rate", reply.text)


def test_demo_demographics_are_synthetic_with_unknowns_and_one_small_category(demo):
    with demo.db.read_only() as uow:
        priya, maya = uow.people.by_email(PRIYA), uow.people.by_email(MAYA)
        rows = demographics(uow).for_hr(check(uow.people, priya, Capability.run_bias_audit))
        with pytest.raises(DemographicsRefused):
            demographics(uow).for_hr(check(uow.people, maya, Capability.run_bias_audit))
        with pytest.raises(DemographicsRefused):  # an allowed permission for something else is not enough
            demographics(uow).for_hr(check(uow.people, priya, Capability.view_team))
    assert len(rows) == 60
    assert sum(r["sex"] is None for r in rows.values()) == 2 and sum(r["race_ethnicity"] is None for r in rows.values()) == 2
    assert sum(r["race_ethnicity"] == SMALL_RACE for r in rows.values()) == 1  # 1 of 60: under 2 %
    assert {r["sex"] for r in rows.values()} == {"Female", "Male", None}


# --------------------------------------------------------------------------- demographics are never an input


def _everything_ladder_recommends(ladder: Ladder) -> dict:
    from agent import rules
    from agent.signals import load_org

    out: dict = {}
    with ladder.db.read_only() as uow:
        people = [uow.people.get(pid) for pid, _n, _e in uow.people.directory()]
        roles = [career_path.resolve_role(ladder, uow, label).best for label in ("data scientist", "software developer")]
        occupations = [uow.skills.occupation(r.id) for r in roles]
        for person in people:  # every person's path answer (priorities, courses, projects) to two roles
            for role in occupations:
                out[f"path {person.id} {role.id}"] = career_path.path_reply(ladder, uow, person, role, complete=True).model_dump()
        for lead in (p for p in people if uow.people.report_ids(p.id)):  # every team's readiness lists
            for role in occupations:
                out[f"ready {lead.id} {role.id}"] = manager_views.team_ready(ladder, uow, lead, role.label).model_dump()
                out[f"gaps {lead.id} {role.id}"] = manager_views.team_gaps(ladder, uow, lead, role.label).model_dump()
        org = load_org(uow, NOW)  # the agent's proposals, as a pass would make them (nothing written)
        labels: dict[int, str] = {}
        proposals = rules.enrol_for_targets(uow, org, labels) + rules.checkins(uow, org, NOW, 14) + rules.readiness(uow, org, 3)
        out["agent"] = [dataclasses.asdict(p) for p in proposals]
        out["audited outcomes"] = [dataclasses.asdict(o) for o in bias_audit.ladder_outcomes(ladder, uow)]
    return out


def test_shuffling_demographics_across_people_changes_no_recommendation(fresh_demo):
    ladder = Ladder(settings=fresh_demo.settings, db=fresh_demo.db, indexes=fresh_demo.indexes, now=lambda: NOW)
    with ladder.db.unit_of_work() as uow:  # targets for everyone, so that the agent has enrolments to propose
        target = career_path.resolve_role(ladder, uow, "data scientist").best.id
        for pid, _name, _email in uow.people.directory():
            uow.people.get(pid).target_role_id = target
    before = _everything_ladder_recommends(ladder)
    assert before["agent"], "the agent proposed nothing: the comparison would prove little"

    with ladder.db.unit_of_work() as uow:
        priya = uow.people.by_email(PRIYA)
        permission = check(uow.people, priya, Capability.run_bias_audit)
        old = demographics(uow).for_hr(permission)
        ids = sorted(old)
        shuffled = ids[:]
        random.Random(7).shuffle(shuffled)
        demographics(uow).reassign(dict(zip(ids, shuffled)))
    with ladder.db.read_only() as uow:
        new = demographics(uow).for_hr(permission)
    moved = sum(old[pid] != new[pid] for pid in ids)
    assert moved > 30, "the shuffle must actually change who has which categories"

    after = _everything_ladder_recommends(ladder)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key


# --------------------------------------------------------------------------- who may read demographics

ALLOWED = {"handlers/bias_audit.py", "storage/demographics.py",
           "storage/privacy.py"}  # + a person's own export and their erasure (storage.privacy), never a recommendation
WRITES_SYNTHETIC = {"handlers/seed_demo.py"}  # writes the demo's synthetic rows through the model, never reads them


def test_only_the_bias_audit_reads_demographics():
    readers, model_users = set(), set()
    for path in ROOT.glob("**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("tests/", ".venv/", "migrations/")) or "/." in rel:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(from storage\.demographics import|import storage\.demographics|from storage import .*\bdemographics\b)",
                     text, re.MULTILINE):
            readers.add(rel)
        if re.search(r"^\s*from storage\.models import[^)]*?\b(Demographic|DEMOGRAPHIC_FIELDS)\b", text, re.MULTILINE)\
                and rel != "storage/models.py":
            model_users.add(rel)
    assert readers <= ALLOWED, f"demographics read outside the bias audit: {sorted(readers - ALLOWED)}"
    assert model_users <= ALLOWED | WRITES_SYNTHETIC, sorted(model_users - ALLOWED - WRITES_SYNTHETIC)
    assert "handlers/bias_audit.py" in readers and "handlers/seed_demo.py" in model_users  # it looks where they are


def test_audit_bias_command_over_ladders_data_prints_every_figure_as_json(demo, capsys, monkeypatch, tmp_path):
    import json

    from app import main

    monkeypatch.setenv("DATABASE_URL", demo.db.url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["audit", "bias", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    names = [o["outcome"] for o in report["outcomes"]]
    assert names[0] == "ready_for_role" and "proposal_enrol_course" in names and "proposal_approved" in names
    assert names[-2:] == ["marketplace_shortlisted", "marketplace_placed"] and report["unavailable"] == []
    race = next(t for t in report["outcomes"][0]["tables"] if t["dimension"] == "race_ethnicity")
    assert race["unknown"] == 2 and race["excluded"] == [SMALL_RACE]
    assert sum(r["n"] for r in race["rows"]) + race["unknown"] == 60
    assert main(["audit", "bias", "--outcome", "x"]) == 2  # CSV options without --from-csv
