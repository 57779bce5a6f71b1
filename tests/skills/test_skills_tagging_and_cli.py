"""Course tagging suggestions (stored as suggestions until accepted) and the `skills` command line."""

from __future__ import annotations

from storage import UnitOfWork

import json
import subprocess
import sys

from sqlalchemy import select

from handlers import course_tags
from storage.models import Course, CourseSkill, Skill, TagStatus
from tests.conftest import ROOT
from tests.skills.skills_helpers import MAYA, at_fixed_time


def test_untagged_courses_get_suggestions_that_count_only_once_accepted(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    with ladder.db.unit_of_work() as s:
        s.add(Course(code="NEW-PY", title="Python for analysts", description="Hands-on data mining and statistics with Python.",
                     duration_hours=6))
    with ladder.db.unit_of_work() as s:
        result = course_tags.tag_courses(ladder, s)
    # The demo's other untagged course is its onboarding programme (KF101, insights/demo_history.py): no skills.
    assert sorted(c["course"] for c in result["courses"]) == ["KF101", "NEW-PY"]
    [course] = [c for c in result["courses"] if c["course"] == "NEW-PY"]
    labels = {x["label"] for x in course["suggestions"]}
    assert {"Python (computer programming)", "data mining", "statistics"} <= labels
    with ladder.db.session() as s, s.begin():
        cid = s.scalar(select(Course.id).where(Course.code == "NEW-PY"))
        rows = s.scalars(select(CourseSkill).where(CourseSkill.course_id == cid)).all()
        assert rows and all(r.status == TagStatus.suggested and r.score for r in rows)
        mining = s.scalar(select(Skill).where(Skill.label == "data mining"))
        assert cid not in {c.course_id for c in UnitOfWork(s).skills.courses_teaching([mining.id])}
        uri = mining.uri
    with ladder.db.unit_of_work() as s:
        assert course_tags.accept_tag(ladder, s, "NEW-PY", uri)["changed"] is True
        assert course_tags.accept_tag(ladder, s, "NEW-PY", uri)["changed"] is False
    with ladder.db.unit_of_work() as s:
        assert cid in {c.course_id for c in s.skills.courses_teaching([mining.id])}
        # a course with an accepted tag is no longer offered for tagging
        assert "NEW-PY" not in {c.code for c in s.skills.courses_without_accepted_tags()}


def _cli(args, url, tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_"))}
    env.update(DATABASE_URL=url, DATA_DIR=str(tmp_path / "var"))
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "skills", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)


def test_skills_cli_json(demo, tmp_path):
    url = demo.db.url
    profile = _cli(["profile", "--as", MAYA, "--json"], url, tmp_path)
    assert profile.returncode == 0, profile.stderr
    data = json.loads(profile.stdout)
    sk = next(s for s in data["skills"] if s["label"] == "use databases")
    assert sk["uri"].startswith("http://data.europa.eu/esco/skill/") and sk["verified"] is True
    assert sk["evidence"][0]["type"] == "manager_validation" and sk["confidence"] > 0

    gap = json.loads(_cli(["gap", "--as", MAYA, "--role", "data scientist", "--json"], url, tmp_path).stdout)
    assert gap["role"]["label"] == "data scientist" and gap["missing"] and all("closing_evidence" in g for g in gap["missing"])

    path = json.loads(_cli(["path", "--as", MAYA, "--role", "data scientist", "--json"], url, tmp_path).stdout)
    assert path["plan"]["courses"] and "route" in path

    closest = json.loads(_cli(["closest", "--as", MAYA, "--json"], url, tmp_path).stdout)
    assert closest["roles"] and all({"uri", "missing", "have"} <= set(r) for r in closest["roles"])

    missing_role = _cli(["gap", "--as", MAYA, "--json"], url, tmp_path)
    assert missing_role.returncode == 2 and "--role" in missing_role.stderr
