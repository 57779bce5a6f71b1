"""Everything Ladder holds about one person, as a typed, JSON-serialisable export and a readable summary.

The export walks every table that references a person (``storage.models``): the directory row, chat accounts,
conversation memory, answer feedback, skills evidence, enrolments, interests, proposals about them with their
decisions, decisions they made about others (without the other person), proposals waiting for them, challenges,
and the audit entries about them and by them. Other people appear only as what this person did to a record of
theirs (an action type, a date) — never by name, email or id.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from storage import UnitOfWork
from storage.models import AuditEvent
from storage.privacy import PERSON_KEYS

SCHEMA_VERSION = "ladder-export/1"
SECTIONS = ("profile", "chat_identities", "conversations", "answer_feedback", "skill_evidence", "enrolments",
            "interests", "applications", "opportunities_posted", "proposals_about_me", "decisions_i_made",
            "proposals_for_me_to_decide", "challenges", "audit_about_me", "audit_by_me", "privacy_settings", "demographics",
            "digests", "role_changes", "performance_ratings")


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def build_export(uow: UnitOfWork, person_id: int, now: dt.datetime) -> dict[str, Any]:
    """The export of one person (who must exist): a dict with ``schema``, ``generated_at`` and one key per section."""
    repo = uow.privacy
    person = repo.person(person_id)
    if person is None:
        raise LookupError(f"no person {person_id}")
    team, roles = repo.labels(person.team_id, [person.role_id, person.target_role_id,
                                               *(c.role_id for c in repo.role_changes(person_id))])
    profile = {
        "id": person.id, "name": person.name, "email": person.email, "job_title": person.job_title,
        "role": roles.get(person.role_id) if person.role_id else None,
        "target_role": roles.get(person.target_role_id) if person.target_role_id else None,
        "team": team, "location": person.location, "hire_date": _iso(person.hire_date),
        "access_role": _value(person.access_role), "active": person.active,
        "has_manager": person.manager_id is not None, "away_until": _iso(person.away_until),
        "has_delegate": person.delegate_id is not None,
        "hris_id": person.external_id, "leave_date": _iso(person.leave_date), "leave_reason": person.leave_reason,
    }
    data: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "generated_at": _iso(now),
        "profile": profile,
        "chat_identities": [{"channel": c.channel, "external_id": c.external_id, "conversation_ref": c.conversation_ref,
                             "updated_at": _iso(c.updated_at)} for c in repo.chat_identities(person_id)],
        "conversations": [{"key": c.key, "data": c.data, "updated_at": _iso(c.updated_at)} for c in repo.conversations(person_id)],
        "answer_feedback": [{"answer_id": f.answer_id, "helpful": f.helpful, "question": f.question,
                             "chunk_ids": f.chunk_ids, "created_at": _iso(f.created_at)} for f in repo.feedback(person_id)],
        "skill_evidence": [{"id": e.id, "skill": label, "evidence_type": _value(e.evidence_type), "level": e.level,
                            "source": e.source, "status": _value(e.status), "note": e.note, "observed_at": _iso(e.observed_at),
                            "verified_by_someone": e.verifier_id is not None and e.verifier_id != person_id}
                           for e, label in repo.evidence(person_id)],
        "enrolments": [{"course_code": code, "course_title": title, "status": _value(e.status), "progress": e.progress,
                        "enrolled_at": _iso(e.enrolled_at), "last_activity_at": _iso(e.last_activity_at),
                        "completed_at": _iso(e.completed_at), "source": e.source} for e, code, title in repo.enrolments(person_id)],
        "interests": [{"opportunity": title, "created_at": _iso(i.created_at)} for i, title in repo.interests(person_id)],
        "applications": [{"opportunity": title, "status": _value(a.status), "note": a.note, "fit": a.fit,
                          "created_at": _iso(a.created_at), "shortlisted_at": _iso(a.revealed_at), "placed_at": _iso(a.placed_at),
                          "hours_per_week": a.hours_per_week} for a, title in repo.applications(person_id)],
        "opportunities_posted": [{"id": o.id, "title": o.title, "kind": _value(o.kind), "status": o.status,
                                  "description": o.description, "hours_per_week": o.hours_per_week,
                                  "duration_weeks": o.duration_weeks, "closes_on": _iso(o.closes_on),
                                  "posted_at": _iso(o.posted_at)} for o in repo.opportunities_posted(person_id)],
        "proposals_about_me": [_proposal(p, d) for p, d in repo.proposals_about(person_id)],
        "decisions_i_made": [{"proposal_id": d.proposal_id, "action_type": action, "outcome": _value(d.outcome),
                              "reason": d.reason, "decided_at": _iso(d.decided_at)} for d, action in repo.decisions_by(person_id)],
        "proposals_for_me_to_decide": [{"proposal_id": p.id, "action_type": p.action_type, "status": _value(p.status),
                                        "created_at": _iso(p.created_at)} for p in repo.proposals_to_decide(person_id)],
        "challenges": [{"id": c.id, "proposal_id": c.proposal_id, "subject": c.subject, "reason": c.reason, "status": c.status,
                        "resolution": c.resolution, "created_at": _iso(c.created_at), "resolved_at": _iso(c.resolved_at)}
                       for c in repo.challenges(person_id)],
        "audit_about_me": [_event(e, detail=True) for e in repo.audit_about(person_id)],
        # What they did to others' records: the action and when, not the other person or the entry's detail.
        "audit_by_me": [_event(e, detail=False) for e in repo.audit_by(person_id)],
        "privacy_settings": _preferences(repo.preferences_of(person_id)),
        "demographics": _demographics(repo.demographics_of(person_id)),
        "digests": {"subscriptions": [d.kind for d in repo.digest_subscriptions(person_id)],
                    "sent": [{"kind": r.kind, "period": r.period_key, "status": r.status, "sent_at": _iso(r.sent_at),
                              "detail": r.detail} for r in repo.digest_runs(person_id)]},
        "role_changes": [{"effective_date": _iso(c.effective_date), "role": roles.get(c.role_id) if c.role_id else None,
                          "job_title": c.job_title, "team_changed": c.team_id is not None,
                          "manager_changed": c.manager_id is not None, "source": c.source, "applied_at": _iso(c.applied_at)}
                         for c in repo.role_changes(person_id)],
        "performance_ratings": [{"period": r.period, "period_end": _iso(r.period_end), "rating": r.rating,
                                 "scale_max": r.scale_max, "source": r.source, "recorded_at": _iso(r.recorded_at)}
                                for r in repo.performance_ratings(person_id)],
    }
    data["counts"] = {name: (len(data[name]) if isinstance(data[name], list) else 1) for name in SECTIONS}
    # The xAPI statements an LMS sent about them, as stored (issue 16).
    data["learning_records"] = [{"statement": r.body, "voided": r.voided} for r in uow.xapi.statements_of(person_id)]
    data["counts"]["learning_records"] = len(data["learning_records"])
    return data


def _preferences(pref) -> dict[str, Any]:
    return {"opt_out_inference": bool(pref and pref.opt_out_inference), "opt_out_surfacing": bool(pref and pref.opt_out_surfacing),
            "updated_at": _iso(pref.updated_at) if pref else None}


def _demographics(row) -> dict[str, Any]:
    """What HR's bias audit holds about them (nothing recorded: both None)."""
    return {"sex": row.sex if row else None, "race_ethnicity": row.race_ethnicity if row else None}


def _proposal(p, d) -> dict[str, Any]:
    return {"id": p.id, "action_type": p.action_type, "status": _value(p.status), "payload": _without_people(p.payload or {}),
            "rationale": p.rationale, "evidence": p.evidence, "policy_note": p.policy_note, "created_by": p.created_by,
            "created_at": _iso(p.created_at), "decided_at": _iso(p.decided_at), "executed_at": _iso(p.executed_at),
            "decision": None if d is None else {"outcome": _value(d.outcome), "reason": d.reason, "changes": d.changes,
                                                "decided_at": _iso(d.decided_at)}}


def _event(e: AuditEvent, *, detail: bool) -> dict[str, Any]:
    item = {"id": e.id, "at": _iso(e.at), "action": e.action, "actor_kind": e.actor_kind, "object_type": e.object_type,
            "object_id": e.object_id}
    if detail:
        item["detail"] = _without_people(e.detail or {})
    return item


def _without_people(detail: dict[str, Any]) -> dict[str, Any]:
    """An audit detail (or a payload) without the keys that name other people (approvers, managers, deciders)."""
    return {k: v for k, v in detail.items() if k not in PERSON_KEYS}


def to_json(export: dict[str, Any]) -> str:
    return json.dumps(export, indent=2, ensure_ascii=False, sort_keys=False, default=str)


TITLES = {
    "chat_identities": "Chat accounts", "conversations": "Conversation memory", "answer_feedback": "Feedback on answers",
    "skill_evidence": "Skills evidence", "enrolments": "Course enrolments", "interests": "Interests in opportunities",
    "applications": "Marketplace applications", "opportunities_posted": "Opportunities you posted",
    "proposals_about_me": "Proposals about you", "decisions_i_made": "Decisions you made",
    "proposals_for_me_to_decide": "Proposals for you to decide", "challenges": "Your challenges",
    "audit_about_me": "Audit entries about you", "audit_by_me": "Audit entries of your actions",
    "role_changes": "Role changes from the HRIS", "performance_ratings": "Performance ratings",
}


def summary_markdown(export: dict[str, Any]) -> str:
    """The readable summary that goes with the JSON file."""
    p = export["profile"]
    lines = [f"# What Ladder holds about {p['name']}", "",
             f"Generated {export['generated_at']} · format `{export['schema']}` (the JSON file has every record).", "",
             "## Profile", ""]
    for key in ("email", "job_title", "role", "target_role", "team", "location", "hire_date", "access_role"):
        if p.get(key):
            lines.append(f"- {key.replace('_', ' ')}: {p[key]}")
    for section, title in TITLES.items():
        items = export[section]
        lines += ["", f"## {title} ({len(items)})", ""]
        if not items:
            lines.append("None.")
            continue
        for item in items[:20]:
            lines.append(f"- {_line(section, item)}")
        if len(items) > 20:
            lines.append(f"- … and {len(items) - 20} more (see the JSON file)")
    return "\n".join(lines) + "\n"


def _line(section: str, item: dict[str, Any]) -> str:
    if section == "skill_evidence":
        return f"{item['skill']}: level {item['level']} ({item['evidence_type']}, {item['status']})"
    if section == "enrolments":
        return f"{item['course_code']} {item['course_title']}: {item['status']}"
    if section == "interests":
        return str(item["opportunity"])
    if section == "applications":
        return f"{item['opportunity']}: {item['status']}"
    if section == "opportunities_posted":
        return f"{item['title']} ({item['kind']}): {item['status']}"
    if section in ("proposals_about_me",):
        return f"#{item['id']} {item['action_type']}: {item['status']}"
    if section == "decisions_i_made":
        return f"proposal #{item['proposal_id']} ({item['action_type']}): {item['outcome']}"
    if section == "proposals_for_me_to_decide":
        return f"proposal #{item['proposal_id']} ({item['action_type']}): {item['status']}"
    if section == "challenges":
        return f"#{item['id']}: {item['status']} — {item['reason'][:80]}"
    if section.startswith("audit"):
        return f"{item['at']} {item['action']}"
    if section == "chat_identities":
        return f"{item['channel']}: {item['external_id']}"
    if section == "conversations":
        return f"{item['key']} (updated {item['updated_at']})"
    if section == "answer_feedback":
        return f"{'helpful' if item['helpful'] else 'not helpful'}: {item['question'][:80]}"
    return json.dumps(item, default=str)[:120]
