"""Claiming, explaining and validating skills in chat, through the router, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.models import AuditEvent, EvidenceStatus, EvidenceType, Person, Skill, SkillEvidence
from tests.skills.skills_helpers import DANIEL, MAYA, PRIYA, RecordingNotifier, ask, at_fixed_time, click


def _evidence(ladder, email, skill_label):
    with ladder.db.session() as s, s.begin():
        pid = s.scalar(select(Person.id).where(Person.email == email))
        sid = s.scalar(select(Skill.id).where(Skill.label == skill_label))
        return [(e.evidence_type, e.level, e.status, e.verifier_id) for e in
                s.scalars(select(SkillEvidence).where(SkillEvidence.person_id == pid, SkillEvidence.skill_id == sid).order_by(SkillEvidence.id))]


def test_claiming_a_skill_records_a_self_assessment_that_does_not_verify(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    reply = ask(ladder, "I know SQL")
    assert reply.data["intent"] == "claim_skill" and reply.data["changed"] is True
    assert reply.data["skill"]["label"] == "SQL" and reply.data["level"] == 2
    assert "never verifies" in reply.text
    assert _evidence(ladder, MAYA, "SQL") == [(EvidenceType.self_assessment, 2, EvidenceStatus.active, None)]
    again = ask(ladder, "I know SQL")
    assert again.data["changed"] is False and "nothing changed" in again.text
    higher = ask(ladder, "I have SQL at level 3")
    assert higher.data["changed"] is True
    assert _evidence(ladder, MAYA, "SQL") == [(EvidenceType.self_assessment, 3, EvidenceStatus.active, None)]
    explained = ask(ladder, "why do you think I know SQL?")
    assert explained.data["verified"] is False and explained.data["level"] == 3
    assert [e["type"] for e in explained.data["evidence"]] == ["self_assessment"]


def test_skill_names_resolve_by_alternative_label_and_typos(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    assert ask(ladder, "I have Python at level 3").data["skill"]["label"] == "Python (computer programming)"
    assert ask(ladder, "I'm good at data minning").data["skill"]["label"] == "data mining"
    unknown = ask(ladder, "I know xqzzyv underwater basketry")
    assert unknown.data["intent"] == "skill_choice"


def test_explain_lists_the_evidence_with_type_level_date_source_and_verifier(demo):
    reply = ask(at_fixed_time(demo), "explain my use databases skill")
    data = reply.data
    assert data["skill"]["label"] == "use databases" and data["verified"] is True and data["verified_level"] == 2
    [ev] = data["evidence"]
    assert ev["type"] == "manager_validation" and ev["level"] == 2 and ev["verifier"] == "Daniel Okafor"
    assert ev["date"] and ev["source"] and ev["verifies"] is True
    assert "Daniel Okafor" in reply.text and "manager validation" in reply.text
    course = ask(at_fixed_time(demo), "why do you think I know statistics?").data
    assert course["verified"] is False and course["evidence"][0]["type"] == "course_completion"
    assert course["evidence"][0]["verifies"] is False
    none = ask(at_fixed_time(demo), "why do you think I know C++?")
    assert none.data["evidence"] == [] and "no evidence" in none.text


def test_ask_manager_to_validate_then_manager_confirms_once(fresh_demo):
    notifier = RecordingNotifier()
    fresh_demo.notifiers.add(notifier)
    ladder = at_fixed_time(fresh_demo)
    asked = ask(ladder, "ask my manager to validate statistics")
    assert asked.data["created"] is True and asked.data["manager"] == DANIEL and asked.data["delivered"] is True
    evidence_id = asked.data["evidence_id"]
    [card_reply] = notifier.to(DANIEL)
    refs = [b.ref for b in card_reply.actions()]
    assert refs == [f"validate_skill:{evidence_id}", f"decline_skill:{evidence_id}"]
    assert _evidence(ladder, MAYA, "statistics")[-1][2] == EvidenceStatus.pending
    assert ask(ladder, "why do you think I know statistics?").data["verified"] is False  # pending doesn't count

    again = ask(ladder, "ask my manager to validate statistics")
    assert again.data["created"] is False and len(notifier.to(DANIEL)) == 1

    pending = ask(ladder, "pending validations", email=DANIEL)
    assert pending.data["evidence"] == [evidence_id]
    assert any(b.ref == f"validate_skill:{evidence_id}" for b in pending.actions())

    # Maya cannot confirm her own request; someone outside the reporting line (a peer of hers) can't either
    with ladder.db.session() as s:
        daniel_id = s.scalar(select(Person.id).where(Person.email == DANIEL))
        peer = s.scalar(select(Person.email).where(Person.manager_id == daniel_id, Person.email != MAYA).order_by(Person.id))
    assert click(ladder, f"validate_skill:{evidence_id}", email=MAYA).data.get("denied") is True
    assert click(ladder, f"validate_skill:{evidence_id}", email=PRIYA).data.get("denied") is True  # HR, but not above Maya
    refused = click(ladder, f"validate_skill:{evidence_id}", email=peer)
    assert refused.data.get("denied") is True and "who can grant it" in refused.text.lower()

    first = click(ladder, f"validate_skill:{evidence_id}", email=DANIEL)
    second = click(ladder, f"validate_skill:{evidence_id}", email=DANIEL)
    late_decline = click(ladder, f"decline_skill:{evidence_id}", email=DANIEL)
    assert first.data["changed"] is True and "verified" in first.text
    assert second.data["changed"] is False and "nothing changed" in second.text
    assert late_decline.data["changed"] is False and "already confirmed" in late_decline.text
    assert ask(ladder, "why do you think I know statistics?").data["verified"] is True
    assert any("validated your statistics" in r.text for r in notifier.to(MAYA))
    assert ask(ladder, "pending validations", email=DANIEL).data["evidence"] == []
    with ladder.db.session() as s, s.begin():
        actions = [a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.object_id == str(evidence_id)))]
    assert actions.count("skill.validation_requested") == 1 and actions.count("skill.validated") == 1


def test_manager_declines_a_validation(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    evidence_id = ask(ladder, "ask my manager to validate data mining at level 3").data["evidence_id"]
    declined = click(ladder, f"decline_skill:{evidence_id}", email=DANIEL)
    assert declined.data["changed"] is True
    assert click(ladder, f"decline_skill:{evidence_id}", email=DANIEL).data["changed"] is False
    assert _evidence(ladder, MAYA, "data mining")[-1][:3] == (EvidenceType.manager_validation, 3, EvidenceStatus.rejected)
    assert ask(ladder, "why do you think I know data mining?").data["verified"] is False


def test_manager_validates_directly_only_for_own_reports(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    done = ask(ladder, "validate statistics for maya.patel@kestrel.example at level 3", email=DANIEL)
    assert done.data["changed"] is True and done.data["level"] == 3
    assert ask(ladder, "explain my statistics").data["verified_level"] == 3
    by_name = ask(ladder, "validate data mining for Maya Patel", email=DANIEL)
    assert by_name.data["changed"] is True
    # Priya leads another team: Maya is not her report
    refused = ask(ladder, "validate SQL for maya.patel@kestrel.example", email=PRIYA)
    assert refused.data["denied"] is True and _evidence(ladder, MAYA, "SQL") == []
    # an employee can't validate anyone
    with ladder.db.session() as s, s.begin():
        colleague = s.scalar(select(Person.email).where(Person.manager_id == s.scalar(select(Person.id).where(Person.email == DANIEL)),
                                                        Person.email != MAYA))
    assert ask(ladder, f"validate SQL for {colleague}", email=MAYA).data["denied"] is True


def test_accept_or_decline_a_skill_ladder_inferred(fresh_demo):
    ladder = at_fixed_time(fresh_demo)
    with ladder.db.session() as s, s.begin():
        maya = s.scalar(select(Person.id).where(Person.email == MAYA))
        ids = []
        for label in ("SQL", "data mining"):
            row = SkillEvidence(person_id=maya, skill_id=s.scalar(select(Skill.id).where(Skill.label == label)),
                                evidence_type=EvidenceType.inferred, level=2, source="your project history",
                                status=EvidenceStatus.pending, observed_at=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))
            s.add(row)
            s.flush()
            ids.append(row.id)
    listed = ask(ladder, "which skills did you infer?")
    assert sorted(listed.data["evidence"]) == sorted(ids)
    sql_id, mining_id = ids
    assert click(ladder, f"accept_skill:{sql_id}", email=DANIEL).data.get("denied") is True  # only Maya decides
    assert click(ladder, f"accept_skill:{sql_id}").data["changed"] is True
    twice = click(ladder, f"accept_skill:{sql_id}")
    assert twice.data["changed"] is False and "nothing changed" in twice.text
    assert click(ladder, f"decline_skill:{mining_id}").data["changed"] is True
    sql = ask(ladder, "why do you think I know SQL?").data
    assert sql["evidence"][0]["type"] == "inferred" and sql["evidence"][0]["status"] == "active" and sql["verified"] is False
    assert ask(ladder, "which skills did you infer?").data["evidence"] == []


def test_my_skills_lists_verified_and_unverified(demo):
    data = ask(at_fixed_time(demo), "what skills do I have?").data
    verified = {s["label"] for s in data["skills"] if s["verified"]}
    unverified = {s["label"] for s in data["skills"] if not s["verified"]}
    assert {"query languages", "use databases"} <= verified and {"statistics", "data mining"} <= unverified
    assert all(s["uri"].startswith("http://data.europa.eu/esco/skill/") for s in data["skills"])
