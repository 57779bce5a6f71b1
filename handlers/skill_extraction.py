"""Use case: a person shares a text about their own work (a project summary, a CV, a performance-review excerpt) and
Ladder reads ESCO skills from it — as *suggestions* the person accepts or declines, never as silent evidence.

Each suggestion is a pending piece of inferred evidence (``skill_evidence``, status pending) whose source names the
kind of text and the sentence that supports it. Accepting makes it active inferred evidence — the weakest kind:
it never verifies a skill on its own (skills_engine/proficiency.py). Declining rejects it, and the same skill is not
suggested again from a later text. Deciding is exactly once (``Skills.settle_pending``): a second click, or "Accept
all" after single clicks, says what was already decided. A person who opted out of inference from activity is told
so and nothing is read or stored.
"""

from __future__ import annotations

import re

from conversation import ActionKind, ActionRef, Button, Card, Reply
from handlers.context import Ladder, skill_extractor
from handlers.intents import Intent
from storage import UnitOfWork
from storage.models import EvidenceStatus, EvidenceType, Person, SkillEvidence

CLICKS = frozenset({ActionKind.accept_extracted_skills})
MAX_SUGGESTIONS = 8
INFERRED_LEVEL = 2  # "working": what a text someone wrote about their work suggests, before anyone verifies it
MIN_TEXT_WORDS = 3

# What the person says the text is, in the words the source of the evidence uses.
_KINDS = (
    (re.compile(r"\b(cv|c\.v\.|resume|résumé|curriculum vitae)\b", re.I), "CV"),
    (re.compile(r"\b(performance|annual|mid-year)\s+review|\bappraisal\b", re.I), "performance review"),
    (re.compile(r"\bproject\b", re.I), "project summary"),
    (re.compile(r"\bcase study\b", re.I), "case study"),
    (re.compile(r"\bjob description\b", re.I), "job description"),
)
# The lead-in before the text itself: "here is my project summary:", "extract skills from my CV -".
_LEAD_IN = re.compile(r"^[^:\n]{0,120}?(?::|\s[-–—]\s|\n)\s*", re.S)


def artefact_kind(message: str) -> str:
    head = message[:160]
    for pattern, name in _KINDS:
        if pattern.search(head):
            return name
    return "work sample"


def artefact_text(message: str) -> str:
    """The shared text without the lead-in that says what it is (everything after the first colon or dash)."""
    match = _LEAD_IN.match(message.strip())
    return message.strip()[match.end():].strip() if match else ""


def _source(kind: str, sentence: str) -> str:
    quoted = sentence if len(sentence) <= 220 else sentence[:217] + "…"
    return f"your {kind}: “{quoted}”"[:300]


def share_artefact(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    """Skills suggested from the text the person shared, as a card of Accept / Decline buttons and "Accept all"."""
    message = intent.text or ""
    if uow.preferences.of(person.id).inference:
        return Reply(text="You've opted out of inference from your activity, so I haven't read this text for skills "
                          "and nothing was stored. You can turn inference back on in your privacy settings "
                          "(“my privacy settings”).",
                     data={"intent": "extract_skills", "opted_out": True, "suggested": []})
    text = artefact_text(message)
    if len(text.split()) < MIN_TEXT_WORDS:
        return Reply(text="Paste the text after a colon and I'll suggest the skills it shows, e.g. "
                          "“here is my project summary: I built dashboards in SQL for the churn project…”.",
                     data={"intent": "extract_skills", "suggested": [], "missing_text": True})
    kind = artefact_kind(message)
    found = skill_extractor(ladder).extract(text, top_k=MAX_SUGGESTIONS * 2)
    seen = {(e.skill_id, e.status) for e in uow.skills.evidence_history(person.id, kind=EvidenceType.inferred)}
    fresh = [s for s in found if (s.skill_id, EvidenceStatus.pending) not in seen
             and (s.skill_id, EvidenceStatus.rejected) not in seen and (s.skill_id, EvidenceStatus.active) not in seen]
    fresh = fresh[:MAX_SUGGESTIONS]
    if not fresh:
        said = ("I didn't find an ESCO skill in that text" if not found
                else "Everything I found in that text is already on your profile, waiting for your answer, or declined")
        return Reply(text=f"{said}. Nothing was stored.", data={"intent": "extract_skills", "suggested": []})
    rows = []
    for skill in fresh:
        row = SkillEvidence(person_id=person.id, skill_id=skill.skill_id, evidence_type=EvidenceType.inferred,
                            level=INFERRED_LEVEL, source=_source(kind, skill.sentence), observed_at=ladder.now(),
                            status=EvidenceStatus.pending)
        uow.add(row)
        rows.append((row, skill))
    uow.flush()
    uow.audit.record(action="skill.extracted", actor_id=person.id, subject_id=person.id, object_type="skill_evidence",
                     object_id=",".join(str(r.id) for r, _s in rows),
                     detail={"kind": kind, "skills": [s.uri for _r, s in rows]}, at=ladder.now())
    cards = [Card(title=skill.label, body=f"From: “{skill.sentence[:200]}” (match {skill.score:.0%})",
                  buttons=[Button(label="Accept", ref=ActionRef(kind=ActionKind.accept_skill, target=str(row.id)).encode(),
                                  style="primary"),
                           Button(label="Decline", ref=ActionRef(kind=ActionKind.decline_skill, target=str(row.id)).encode())])
             for row, skill in rows]
    all_ids = ".".join(str(row.id) for row, _s in rows)
    cards.append(Card(title="All of them?", body="Accept every suggestion above in one go.",
                      buttons=[Button(label="Accept all", style="primary",
                                      ref=ActionRef(kind=ActionKind.accept_extracted_skills, target=all_ids).encode())]))
    text_out = (f"From your {kind} I'd suggest {len(rows)} skill(s). Accepted ones go on your profile as inferred "
                "evidence with this text as their source (weaker than verified evidence; never verifying on its own).")
    return Reply(text=text_out, cards=cards, data={
        "intent": "extract_skills", "kind": kind,
        "suggested": [{"evidence_id": row.id, "uri": s.uri, "label": s.label, "score": s.score, "sentence": s.sentence}
                      for row, s in rows]})


def click(ladder: Ladder, uow: UnitOfWork, person: Person, kind: ActionKind, target: str) -> Reply:
    """"Accept all": every still-pending suggestion of the card becomes inferred evidence; the rest say so."""
    try:
        ids = [int(part) for part in target.split(".") if part]
    except ValueError:
        return Reply(text="That button isn't valid any more.", ephemeral=True, data={"intent": "accept_extracted", "changed": False})
    accepted: list[str] = []
    already = 0
    for evidence_id in ids:
        evidence = uow.skills.evidence(evidence_id)
        if evidence is None or evidence.evidence_type != EvidenceType.inferred:
            continue
        if evidence.person_id != person.id:
            return Reply(text="Only the person these skills were suggested for can accept them.", ephemeral=True,
                         data={"intent": "accept_extracted", "changed": False, "denied": True})
        if uow.skills.settle_pending(evidence_id, EvidenceStatus.active):
            accepted.append(uow.skills.skill_labels([evidence.skill_id])[evidence.skill_id][1])
            uow.audit.record(action="skill.inferred_accepted", actor_id=person.id, subject_id=person.id,
                             object_type="skill_evidence", object_id=str(evidence_id),
                             detail={"skill_id": evidence.skill_id}, at=ladder.now())
        else:
            already += 1
    if not accepted:
        return Reply(text="You already decided every one of these — nothing changed.", replace_original=True,
                     data={"intent": "accept_extracted", "changed": False, "accepted": []})
    tail = f" ({already} you had already decided stay as they were.)" if already else ""
    return Reply(text=f"Thanks — {', '.join(accepted)} {'is' if len(accepted) == 1 else 'are'} now on your profile as "
                      f"inferred evidence (not verified).{tail}", replace_original=True,
                 data={"intent": "accept_extracted", "changed": True, "accepted": accepted, "already_decided": already})
