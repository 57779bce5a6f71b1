"""The demo's fictional LMS and team KPIs: the seed stores real xAPI statements through the LRS (fixed ids, verbs
completed and passed with a score), monthly KPIs per team from insights/demo_history.py's model, and a reseed
writes the same again — nothing doubled. `insights kpi` on the Data & Analytics export recovers the planted step."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from insights_kpi_cli import run_kpi

from handlers.seed_demo import TODAY, seed_demo
from insights import demo_history as model
from storage.models import Enrolment, EnrolmentStatus, Person, Team, TeamKpi, XapiStatement

ADL = "http://adlnet.gov/expapi/verbs/"


def stored(ladder):
    with ladder.db.session() as s:
        statements = {row.statement_id: (row.verb_id, row.body) for row in s.scalars(select(XapiStatement))}
        kpis = sorted((t, k.name, k.month, k.value) for k, t in s.execute(select(TeamKpi, Team.name).join(Team)))
        completed = s.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.status == EnrolmentStatus.completed))
    return statements, kpis, completed


def test_the_seed_stores_lms_statements_and_team_kpis_once(fresh_demo, capsys, monkeypatch, tmp_path):
    statements, kpis, completed = stored(fresh_demo)
    verbs = [verb for verb, _body in statements.values()]
    assert verbs.count(ADL + "completed") > 50 and verbs.count(ADL + "passed") >= 5
    for verb, body in statements.values():
        assert body["authority"]["name"] == model.LMS_NAME and body["actor"]["mbox"].startswith("mailto:")
        assert body["object"]["id"].startswith(model.LMS_HOME + "/courses/")
        if verb == ADL + "passed":
            assert 0.6 <= body["result"]["score"]["scaled"] <= 0.98 and body["result"]["success"] is True
    with fresh_demo.db.session() as s:  # every statement is about a completion the demo has
        emails = {p.email for p in s.scalars(select(Person))}
    assert {body["actor"]["mbox"][len("mailto:"):] for _v, body in statements.values()} <= emails
    assert {team for team, *_ in kpis} == set(model.KPI_TEAMS)
    assert len(kpis) == model.KPI_MONTHS * len(model.KPI_TEAMS)

    seed_demo(fresh_demo)  # a reseed: the same statements (same ids), the same KPIs, no completion doubled
    again, kpis_again, completed_again = stored(fresh_demo)
    assert again.keys() == statements.keys() and kpis_again == kpis and completed_again == completed

    path = tmp_path / "turnaround.csv"
    path.write_text("month,days\n" + "".join(f"{m.isoformat()},{v}\n" for team, _n, m, v in kpis
                                             if team == "Data & Analytics"), encoding="utf-8")
    code, out, err = run_kpi(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), "--month", "month", "--value", "days",
                                                             "--start", model.PROGRAMME_START.isoformat(), "--json"])
    assert code == 0, err
    report = json.loads(out)
    effect = model.PROGRAMME_EFFECT["report_turnaround_days"]
    assert report["ci_low"] <= effect <= report["ci_high"] < 0
    assert max(month for _t, _n, month, _v in kpis) <= TODAY
