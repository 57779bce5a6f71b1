"""Use cases: the internal talent marketplace in chat — post, find, apply, the owner's blind shortlist, staffing, close.

* Post: "I need someone who can build dashboards in SQL, 4 hours a week for 3 months, for the churn project" → a
  draft card (skills read by ``skills_extractor``, hours, duration, closing date, title) with Publish / Edit… / Discard.
* Find: "gigs that fit me", "projects where I could learn Python" → ranked matches with why, and "I'm interested".
* Apply: a note to the owner (a form); applying twice changes nothing and says so.
* Shortlist: the owner sees "Candidate A/B…" with skills and fit — no name until they shortlist someone; offering the
  place sends the candidate's manager an approval card for the hours (``staff_opportunity``).
* Close: the owner (or HR) takes it down; everyone waiting hears.

The rules live in ``marketplace/``; this module checks permissions, turns results into replies and tells people.
"""

from __future__ import annotations

from approvals.actions import ActionType
from approvals.notify import notify_approvers
from conversation import ActionKind, ActionRef, Button, Card, Fact, Form, FormField, Message, Reply
from governance.permissions import Capability
from handlers.access import allowed, gate, refused
from handlers.context import Ladder, skill_extractor
from handlers.intents import Intent, IntentKind
from marketplace import brief as briefs
from marketplace import posting, staffing
from marketplace.matching import Match, matches_for
from marketplace.posting import OpportunityView
from storage import UnitOfWork
from storage.models import Person

INTENTS = frozenset({IntentKind.post_opportunity, IntentKind.my_opportunities, IntentKind.close_opportunity,
                     IntentKind.my_applications})
CLICKS = frozenset({ActionKind.publish_opportunity, ActionKind.edit_opportunity, ActionKind.discard_opportunity,
                    ActionKind.apply_opportunity, ActionKind.view_shortlist, ActionKind.shortlist_candidate,
                    ActionKind.offer_place, ActionKind.close_opportunity})
MAX_MATCHES = 5
FAIRNESS = "Ranked on skills, interest and your target role only — never tenure, age, demographics or who you know."
NOTE_INTRO = ("Tell the owner why you'd like it and what you'd bring (optional). They see your skills and this note, "
              "not your name, until they shortlist you.")
# People say "gig" and "project" for the same short-term work: either word means both; an opening means a role.
KIND_WORDS = {"gig": "work", "gigs": "work", "project": "work", "projects": "work", "role": "role", "roles": "role",
              "opening": "role", "openings": "role", "position": "role", "positions": "role"}
KINDS_FOR = {"work": ["gig", "project"], "role": ["role"]}


def _ref(kind: ActionKind, target: int) -> str:
    return ActionRef(kind=kind, target=str(target)).encode()


def handle(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    if intent.kind == IntentKind.post_opportunity:
        return post(ladder, uow, person, intent.text)
    if intent.kind == IntentKind.my_opportunities:
        return my_opportunities(ladder, uow, person)
    if intent.kind == IntentKind.close_opportunity:
        return close_choices(ladder, uow, person)
    return my_applications(ladder, uow, person)


def click(ladder: Ladder, uow: UnitOfWork, person: Person, message: Message) -> Reply:
    ref = message.action
    assert ref is not None
    target = int(ref.target)
    now = ladder.now()
    if ref.kind == ActionKind.publish_opportunity:
        return _posted(ladder, uow, posting.publish(uow, person.id, target, now=now), intent="publish_opportunity")
    if ref.kind == ActionKind.discard_opportunity:
        return _posted(ladder, uow, posting.discard(uow, person.id, target, now=now), intent="discard_opportunity")
    if ref.kind == ActionKind.edit_opportunity:
        return edit(ladder, uow, person, target, message)
    if ref.kind == ActionKind.apply_opportunity:
        return apply(ladder, uow, person, target, message)
    if ref.kind == ActionKind.view_shortlist:
        return shortlist(ladder, uow, person, target)
    if ref.kind == ActionKind.shortlist_candidate:
        return pick(ladder, uow, person, target)
    if ref.kind == ActionKind.offer_place:
        return offer(ladder, uow, person, target)
    return close(ladder, uow, person, target)


# --------------------------------------------------------------------------- posting


def post(ladder: Ladder, uow: UnitOfWork, person: Person, text: str) -> Reply:
    permission = gate(uow, person, Capability.post_opportunity)
    if not permission:
        return refused(permission, "post_opportunity")
    extractor = skill_extractor(ladder)
    result = posting.draft(uow, person.id, text, lambda t: extractor.extract(t), now=ladder.now())
    return _posted(ladder, uow, result, intent="post_opportunity")


def post_for_skill(ladder: Ladder, uow: UnitOfWork, person: Person, skill_id: int, skill: str, scope: str) -> Reply:
    """A draft asking for one skill (a forecast gap's "Post an opportunity"): the same card as a brief in words."""
    permission = gate(uow, person, Capability.post_opportunity)
    if not permission:
        return refused(permission, "post_opportunity")
    return _posted(ladder, uow, posting.draft_for_skill(uow, person.id, skill_id, skill, scope, now=ladder.now()),
                   intent="post_opportunity")


def edit(ladder: Ladder, uow: UnitOfWork, person: Person, opportunity_id: int, message: Message) -> Reply:
    opp = uow.marketplace.opportunity(opportunity_id)
    if opp is None or opp.owner_id != person.id:
        return Reply(text="Only the owner of that opportunity can edit it.", ephemeral=True,
                     data={"intent": "edit_opportunity", "status": "forbidden"})
    current = posting.view(uow, opp)
    if not message.form_submitted:
        return Reply(text=f"Edit “{current.title}”.", ephemeral=True, form=_edit_form(current),
                     data={"intent": "edit_opportunity", "status": "form", "opportunity_id": opportunity_id})
    index = ladder.indexes.skills(uow.skills.taxonomy)

    def resolve(text: str) -> tuple[int, str] | None:
        found = index.resolve(text)
        return (found.best.id, found.best.label) if found.status == "found" and found.best is not None else None

    result = posting.update(uow, person.id, opportunity_id, dict(message.form), resolve, now=ladder.now())
    if result.status == "invalid":  # nothing lost: the form comes back with what they typed
        return Reply(text=result.message, ephemeral=True, form=_edit_form(current, message.form),
                     data={"intent": "edit_opportunity", "status": "invalid", "opportunity_id": opportunity_id})
    return _posted(ladder, uow, result, intent="edit_opportunity")


def _edit_form(v: OpportunityView, typed: dict[str, str] | None = None) -> Form:
    typed = typed or {}
    initial = {"title": v.title, "skills": ", ".join(v.needed), "learn": ", ".join(v.learn),
               "hours": f"{v.hours_per_week:g}" if v.hours_per_week else "", "duration": f"{v.duration_weeks} weeks" if v.duration_weeks else "",
               "closes": v.closes_on.isoformat() if v.closes_on else "", "places": str(v.capacity or 1)}
    fields = [
        FormField(name="title", label="Title", kind="text", max_length=300),
        FormField(name="skills", label="Skills needed (comma separated)", kind="multiline", required=False, max_length=1000),
        FormField(name="learn", label="Skills they'd learn (comma separated)", kind="multiline", required=False, max_length=1000),
        FormField(name="hours", label="Hours a week", kind="text", required=False, placeholder="4", max_length=20),
        FormField(name="duration", label="Duration", kind="text", required=False, placeholder="3 months", max_length=40),
        FormField(name="closes", label="Closes on", kind="text", placeholder="2026-12-20", max_length=40),
        FormField(name="places", label="Places", kind="text", placeholder="1", max_length=4),
    ]
    for f in fields:
        f.initial = typed.get(f.name, initial[f.name])
    return Form(title="Edit opportunity", submit=_ref(ActionKind.edit_opportunity, v.id), submit_label="Save",
                intro="Change what you need; skills use their names as on the card.", fields=fields)


def _posted(ladder: Ladder, uow: UnitOfWork, result: posting.PostResult, *, intent: str) -> Reply:
    data = {"intent": intent, "status": result.status,
            "opportunity_id": result.opportunity.id if result.opportunity else None}
    if result.opportunity is None:
        return Reply(text=result.message, ephemeral=True, data=data)
    v = result.opportunity
    for person_id in result.told:
        _tell(ladder, uow, person_id, f"“{v.title}” was closed by its owner, so your application is closed. Thank you for "
                                      "applying — say “gigs that fit me” to see what else is open.")
    return Reply(text=result.message, cards=[opportunity_card(v, audience="owner")], ephemeral=result.status == "invalid",
                 replace_original=intent in ("publish_opportunity", "discard_opportunity"),
                 data={**data, "opportunity": _data(v)})


def opportunity_card(v: OpportunityView, *, audience: str) -> Card:
    facts = [Fact(title="Kind", value=v.kind), Fact(title="Skills needed", value=", ".join(v.needed) or "none named")]
    if v.learn:
        facts.append(Fact(title="They'd learn", value=", ".join(v.learn)))
    facts += [Fact(title="Hours a week", value=f"{v.hours_per_week:g}" if v.hours_per_week else "not stated"),
              Fact(title="Duration", value=briefs.describe_duration(v.duration_weeks)),
              Fact(title="Closes on", value=f"{v.closes_on:%-d %B %Y}" if v.closes_on else "no date"),
              Fact(title="Places", value=f"{v.places_left} of {v.capacity} left" if v.capacity else "no limit"),
              Fact(title="Status", value={"draft": "draft — not published", "open": "published"}.get(v.status, v.status))]
    buttons: list[Button] = []
    if audience == "owner" and v.status == "draft":
        buttons = [Button(label="Publish", ref=_ref(ActionKind.publish_opportunity, v.id), style="primary"),
                   Button(label="Edit…", ref=_ref(ActionKind.edit_opportunity, v.id)),
                   Button(label="Discard", ref=_ref(ActionKind.discard_opportunity, v.id), style="danger")]
    elif audience == "owner" and v.status == "open":
        buttons = [Button(label="See the shortlist", ref=_ref(ActionKind.view_shortlist, v.id), style="primary"),
                   Button(label="Edit…", ref=_ref(ActionKind.edit_opportunity, v.id)),
                   Button(label="Close it", ref=_ref(ActionKind.close_opportunity, v.id), style="danger")]
    title = f"{'Draft · ' if v.status == 'draft' else ''}{v.title}"
    return Card(title=title, body=v.description if audience == "owner" and v.status == "draft" else "", facts=facts, buttons=buttons)


def _data(v: OpportunityView) -> dict:
    return {"id": v.id, "title": v.title, "kind": v.kind, "status": v.status, "hours_per_week": v.hours_per_week,
            "duration_weeks": v.duration_weeks, "closes_on": v.closes_on.isoformat() if v.closes_on else None,
            "capacity": v.capacity, "places_left": v.places_left, "needed": list(v.needed), "learn": list(v.learn)}


# --------------------------------------------------------------------------- finding


def kinds_in(text: str) -> list[str] | None:
    said = {KIND_WORDS[w] for w in (w.strip("?!.,").lower() for w in text.split()) if w in KIND_WORDS}
    return KINDS_FOR[said.pop()] if len(said) == 1 else None


def find(ladder: Ladder, uow: UnitOfWork, person: Person, text: str, *, learn: tuple[int, str] | None = None) -> Reply:
    """Open opportunities that fit the person, best first, each with why; ``learn``: where they'd learn that skill."""
    permission = allowed(uow, person, Capability.find_opportunities, person.id)
    if not permission:
        return refused(permission, "stretch_projects")
    today = ladder.now().date()
    found = matches_for(uow, person.id, today=today, limit=MAX_MATCHES, kinds=kinds_in(text),
                        learn_skill_ids=[learn[0]] if learn else None)
    applied = uow.marketplace.applications_by(person.id)
    data = {"intent": "stretch_projects", "status": "matched" if found else "none", "matches": [_match_data(m) for m in found],
            "learn": learn[1] if learn else None, "skill": learn[1] if learn else None}
    if not found:
        if learn:
            text = f"Nothing open right now would teach you {learn[1]}. I'll have more as people post projects and gigs."
        elif not uow.skills.evidence_for(person.id):
            text = ("I don't know your skills yet, so I can't match you. Tell me one — “I know SQL at level 3” — or ask your "
                    "manager to validate one, then ask again.")
        else:
            text = "Nothing open right now fits your skills. Ask me again later, or say “projects where I could learn <skill>”."
        return Reply(text=text, data=data)
    head = (f"*Open work where you could learn {learn[1]}*" if learn else "*Open opportunities that fit you*")
    return Reply(text=f"{head}\n{FAIRNESS}", cards=[match_card(m, applied.get(m.opportunity_id)) for m in found], data=data)


def match_card(m: Match, application_status: str | None) -> Card:
    why = []
    if m.have:
        why.append("You have: " + ", ".join(m.have))
    if m.learn:
        why.append("You'd learn: " + ", ".join(m.learn))
    facts = [Fact(title="Fit", value=f"{round(m.score * 100)}%"),
             Fact(title="Hours a week", value=f"{m.hours_per_week:g}" if m.hours_per_week else "not stated"),
             Fact(title="Closes on", value=f"{m.closes_on:%-d %B}" if m.closes_on else "no date")]
    buttons = []
    if application_status is None:
        buttons = [Button(label="I'm interested", ref=_ref(ActionKind.apply_opportunity, m.opportunity_id), style="primary")]
    else:
        facts.append(Fact(title="Your application", value=staffing.STATUS_WORDS.get(application_status, application_status)))
    return Card(title=f"{m.title} ({m.kind})", body="\n".join(why), facts=facts, buttons=buttons)


def _match_data(m: Match) -> dict:
    return {"opportunity_id": m.opportunity_id, "title": m.title, "kind": m.kind, "score": m.score, "have": list(m.have),
            "learn": list(m.learn), "hours_per_week": m.hours_per_week,
            "closes_on": m.closes_on.isoformat() if m.closes_on else None}


# --------------------------------------------------------------------------- applying


def apply(ladder: Ladder, uow: UnitOfWork, person: Person, opportunity_id: int, message: Message) -> Reply:
    permission = gate(uow, person, Capability.apply_opportunity)
    if not permission:
        return refused(permission, "apply_opportunity")
    opp = uow.marketplace.opportunity(opportunity_id)
    if not message.form_submitted and opp is not None and opp.status == "open" and opp.owner_id != person.id \
            and uow.marketplace.application_of(person.id, opp.id) is None and not uow.preferences.of(person.id).surfacing:
        form = Form(title="Apply", submit=_ref(ActionKind.apply_opportunity, opp.id), submit_label="Apply", intro=NOTE_INTRO,
                    fields=[FormField(name="note", label="Note to the owner", required=False, max_length=staffing.MAX_NOTE)])
        return Reply(text=f"Apply to “{opp.title}”? {NOTE_INTRO}", ephemeral=True, form=form,
                     data={"intent": "apply_form", "opportunity_id": opp.id})
    result = staffing.apply(uow, person, opportunity_id, message.form.get("note", ""), now=ladder.now())
    data = {"intent": "apply_opportunity", "status": result.status, "opportunity_id": opportunity_id,
            "application_id": result.application_id}
    if result.status == "applied" and result.opportunity is not None:
        v = result.opportunity
        uow.release()  # the application is recorded before anyone hears of it
        _tell(ladder, uow, v.owner_id, f"*New application* for “{v.title}”: {result.label}. The shortlist shows their skills "
                                       "and fit — no names until you shortlist someone.",
              cards=[Card(title=v.title, buttons=[Button(label="See the shortlist", ref=_ref(ActionKind.view_shortlist, v.id),
                                                         style="primary")])])
    return Reply(text=result.message, ephemeral=result.status not in ("applied",), data=data)


def my_applications(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    permission = allowed(uow, person, Capability.apply_opportunity, person.id)
    if not permission:
        return refused(permission, "my_applications")
    rows = staffing.applications_of(uow, person.id)
    if not rows:
        return Reply(text="You haven't applied to anything yet. Say “gigs that fit me” to see what's open.",
                     data={"intent": "my_applications", "applications": []})
    lines = [f"*Your applications ({len(rows)})*"]
    lines += [f"• {v.title} ({v.kind}) — {staffing.STATUS_WORDS.get(status, status)}, applied {at:%-d %B}" for v, status, at in rows]
    return Reply(text="\n".join(lines), ephemeral=True,
                 data={"intent": "my_applications", "applications": [{"opportunity_id": v.id, "status": s} for v, s, _ in rows]})


# --------------------------------------------------------------------------- the owner's side


def my_opportunities(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    permission = allowed(uow, person, Capability.view_shortlist, person.id)
    if not permission:
        return refused(permission, "my_opportunities")
    mine = uow.marketplace.posted_by(person.id, ("draft", "open"))
    if not mine:
        return Reply(text="You have no open opportunities. Describe one in plain words to post it — e.g. “I need someone who "
                          "can build dashboards in SQL, 4 hours a week for 3 months”.", data={"intent": "my_opportunities", "opportunities": []})
    views = [posting.view(uow, o) for o in mine]
    counts = {o.id: len(uow.marketplace.applicants(o.id)) for o in mine}
    cards = []
    for v in views:
        card = opportunity_card(v, audience="owner")
        card.facts.insert(0, Fact(title="Applicants", value=str(counts[v.id])))
        cards.append(card)
    return Reply(text=f"*Your opportunities ({len(views)})*", cards=cards, ephemeral=True,
                 data={"intent": "my_opportunities", "opportunities": [{**_data(v), "applicants": counts[v.id]} for v in views]})


def shortlist(ladder: Ladder, uow: UnitOfWork, person: Person, opportunity_id: int) -> Reply:
    opp = uow.marketplace.opportunity(opportunity_id)
    permission = allowed(uow, person, Capability.view_shortlist, opp.owner_id if opp is not None else None)
    if not (permission and opp is not None and opp.owner_id == person.id):
        return Reply(text="Only the opportunity's owner can see its shortlist.", ephemeral=True,
                     data={"intent": "view_shortlist", "status": "forbidden"})
    for person_id, text in staffing.settle(uow, opportunity_id, now=ladder.now()):  # an expired placement: they hear it
        _tell(ladder, uow, person_id, text)
    listed = staffing.shortlist_of(uow, person, opportunity_id, today=ladder.now().date())
    assert listed is not None  # the owner's own, checked above
    v = listed.opportunity
    if not listed.candidates:
        return Reply(text=f"Nobody has applied to “{v.title}” yet. I'll tell you when someone does.", ephemeral=True,
                     data={"intent": "view_shortlist", "status": "empty", "opportunity_id": v.id, "candidates": []})
    cards = [candidate_card(c) for c in listed.candidates]
    return Reply(text=f"*Shortlist for “{v.title}”* — blind: skills and fit only, no names until you shortlist someone. "
                      f"{v.places_left if v.places_left is not None else 'Unlimited'} place(s) left.",
                 cards=cards, ephemeral=True,
                 data={"intent": "view_shortlist", "status": "listed", "opportunity_id": v.id,
                       "candidates": [_candidate_data(c) for c in listed.candidates]})


def candidate_card(c: staffing.Candidate) -> Card:
    facts = [Fact(title="Fit", value=f"{round(c.fit * 100)}%"),
             Fact(title="Has", value=", ".join(c.have) or "none of the skills yet"),
             Fact(title="Would learn", value=", ".join(c.learn) or "—"),
             Fact(title="Status", value=staffing.STATUS_WORDS.get(c.status, c.status).replace("on the owner's blind shortlist", "blind"))]
    buttons = []
    if c.status == "applied":
        buttons = [Button(label="Shortlist (shows their name)", ref=_ref(ActionKind.shortlist_candidate, c.application_id),
                          style="primary")]
    elif c.status == "shortlisted":
        buttons = [Button(label="Offer the place", ref=_ref(ActionKind.offer_place, c.application_id), style="primary")]
    title = f"{c.label} — {c.name}" if c.name else c.label
    return Card(title=title, body=f"In their words: {c.note}" if c.note else "", facts=facts, buttons=buttons)


def _candidate_data(c: staffing.Candidate) -> dict:
    return {"application_id": c.application_id, "label": c.label, "name": c.name, "status": c.status, "fit": c.fit,
            "have": list(c.have), "learn": list(c.learn), "note": c.note}


def pick(ladder: Ladder, uow: UnitOfWork, person: Person, application_id: int) -> Reply:
    result = staffing.shortlist(uow, person, application_id, now=ladder.now())
    return _staffed(ladder, uow, result, intent="shortlist_candidate")


def offer(ladder: Ladder, uow: UnitOfWork, person: Person, application_id: int) -> Reply:
    result = staffing.offer(uow, person, application_id, now=ladder.now(), expiry_days=ladder.settings.approval_expiry_days)
    reply = _staffed(ladder, uow, result, intent="offer_place")
    if result.status == "offered" and result.proposal_id is not None:
        notify_approvers(uow, ladder.notifiers, [result.proposal_id], today=ladder.now().date(),
                         heading="waiting for your decision: a marketplace placement")
    return reply


def _staffed(ladder: Ladder, uow: UnitOfWork, result: staffing.StaffResult, *, intent: str) -> Reply:
    data = {"intent": intent, "status": result.status, "proposal_id": result.proposal_id,
            "candidate": _candidate_data(result.candidate) if result.candidate else None}
    if result.told:
        uow.release()  # what changed is recorded before anyone hears of it
    for person_id, text in result.told:
        _tell(ladder, uow, person_id, text)
    cards = [candidate_card(result.candidate)] if result.candidate is not None else []
    return Reply(text=result.message, cards=cards, ephemeral=True, data=data)


def close_choices(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    mine = uow.marketplace.posted_by(person.id, ("draft", "open"))
    if not mine:
        return Reply(text="You have no open opportunities to close.", ephemeral=True, data={"intent": "close_opportunity", "status": "none"})
    buttons = [Button(label=f"Close “{o.title}”", ref=_ref(ActionKind.close_opportunity, o.id), style="danger") for o in mine[:10]]
    return Reply(text="Which one should I close? Closing takes it off every list and closes the applications not placed.",
                 cards=[Card(title="Close an opportunity", buttons=buttons)], ephemeral=True,
                 data={"intent": "close_opportunity", "status": "choose", "opportunities": [o.id for o in mine]})


def close(ladder: Ladder, uow: UnitOfWork, person: Person, opportunity_id: int) -> Reply:
    opp = uow.marketplace.opportunity(opportunity_id)
    permission = allowed(uow, person, Capability.manage_opportunity, opp.owner_id if opp is not None else None)
    if opp is not None and not permission:
        return refused(permission, "close_opportunity")
    hr = opp is not None and opp.owner_id != person.id and bool(permission)
    result = posting.close(uow, person.id, opportunity_id, now=ladder.now(), hr=hr)
    if result.status == "closed":
        uow.release()
        if hr and result.opportunity is not None:
            _tell(ladder, uow, result.opportunity.owner_id, f"HR ({person.name}) closed your opportunity “{result.opportunity.title}”.")
    return _posted(ladder, uow, result, intent="close_opportunity")


# --------------------------------------------------------------------------- after a staffing decision


def after_decision(ladder: Ladder, uow: UnitOfWork, proposal_id: int, action_type: str) -> None:
    """A manager rejected a placement (approval is carried out, and told, by the executor): the application is
    declined and the candidate and the owner hear it. Safe to call twice: a settled application is not settled again."""
    if action_type != ActionType.staff_opportunity.value:
        return
    with ladder.db.unit_of_work() as fresh:
        told = staffing.settle(fresh, proposal_id=proposal_id, now=ladder.now())
    for person_id, text in told:
        _tell(ladder, uow, person_id, text)


def _tell(ladder: Ladder, uow: UnitOfWork, person_id: int | None, text: str, cards: list[Card] | None = None) -> None:
    if not person_id:
        return
    email = uow.people.email_of(person_id)
    if email:
        ladder.notify(email, Reply(text=text, cards=cards or [], data={"intent": "marketplace_notice"}))
