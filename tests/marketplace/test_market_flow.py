"""The whole marketplace flow through the terminal router: post → match → interest → blind shortlist → manager
approval → filled; and what the people involved hear, what is audited, who never appears."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Application, ApplicationStatus, Proposal
from tests.approvals.approvals_helpers import click, prepare, say

from market_helpers import BRIEF, DANIEL, MAYA, PRIYA, audit_actions, button, count, manager_of, member_of, opportunity, team_lead


def _post_and_publish(ladder, owner: str, text: str = BRIEF) -> int:
    draft = say(ladder, owner, text)
    assert draft.data["intent"] == "post_opportunity" and draft.data["status"] == "drafted", draft.text
    published = click(ladder, owner, button(draft, "Publish"))
    assert published.data["status"] == "published", published.text
    return draft.data["opportunity_id"]


def _apply(ladder, email: str, opportunity_id: int, note: str = ""):
    ref = f"apply_opportunity:{opportunity_id}"
    form = click(ladder, email, ref)
    if form.form is None:
        return form  # refused before any form (own, closed, hidden, already applied)
    assert form.form.submit == ref and [f.name for f in form.form.fields] == ["note"]
    return click(ladder, email, ref, {"note": note}, form_submitted=True)


def test_post_match_apply_blind_shortlist_approve_filled(fresh_demo):
    ladder = fresh_demo
    _clock, notifier = prepare(ladder)
    owner = team_lead(ladder, "Data & Analytics")
    other = member_of(ladder, "Finance")
    assert manager_of(ladder, MAYA) == DANIEL and owner not in (DANIEL, MAYA)

    # Post: a draft card with what was read from the words, then Publish (twice changes nothing).
    draft = say(ladder, owner, BRIEF)
    assert draft.data["status"] == "drafted", draft.text
    facts = {f.title: f.value for f in draft.cards[0].facts}
    assert "SQL" in facts["Skills needed"] and facts["Hours a week"] == "4" and facts["Duration"].startswith("13 weeks")
    assert draft.cards[0].title == "Draft · Churn project" and facts["Closes on"] == "12 December 2026"
    assert [b.label for b in draft.cards[0].buttons] == ["Publish", "Edit…", "Discard"]
    oid = draft.data["opportunity_id"]
    assert say(ladder, MAYA, "gigs that fit me").data.get("matches") is not None
    assert oid not in [m["opportunity_id"] for m in say(ladder, MAYA, "gigs that fit me").data["matches"]]  # a draft: unlisted
    assert click(ladder, owner, button(draft, "Publish")).data["status"] == "published"
    again = click(ladder, owner, button(draft, "Publish"))
    assert again.data["status"] == "unchanged" and "already published" in again.text

    # Match: Maya claims SQL, then the churn project fits her, with why and an "I'm interested" button.
    assert say(ladder, MAYA, "I know SQL at level 3").data["intent"] == "claim_skill"
    found = say(ladder, MAYA, "gigs that fit me")
    assert found.data["intent"] == "stretch_projects" and found.data["status"] == "matched"
    churn = next(m for m in found.data["matches"] if m["opportunity_id"] == oid)
    assert "SQL" in churn["have"] and churn["hours_per_week"] == 4.0
    card = next(c for c in found.cards if c.title.startswith("Churn project"))
    assert "You have: SQL" in card.body and [b.ref for b in card.buttons] == [f"apply_opportunity:{oid}"]
    assert "never tenure" in found.text

    # Interest with a note; applying twice sends nothing twice.
    applied = _apply(ladder, MAYA, oid, "I built the sales dashboards last year")
    assert applied.data["status"] == "applied", applied.text
    to_owner = notifier.to(owner)[-1]
    assert "Candidate A" in to_owner.text and "Maya" not in to_owner.text
    twice = _apply(ladder, MAYA, oid, "again")
    assert twice.data["status"] == "already" and "already applied" in twice.text
    assert click(ladder, MAYA, f"apply_opportunity:{oid}", {"note": "again"}, form_submitted=True).data["status"] == "already"
    assert count(ladder, Application, Application.opportunity_id == oid) == 1
    assert len(notifier.to(owner)) == 1

    # A second applicant; a third who applies and then hides from others; a fourth already hidden can't apply.
    say(ladder, other, "I know SQL at level 2")
    assert _apply(ladder, other, oid).data["status"] == "applied"
    hider = member_of(ladder, "Finance", not_=(other,))
    assert _apply(ladder, hider, oid, "count me in").data["status"] == "applied"
    assert say(ladder, hider, "hide me from others").data["changed"] is True
    hidden = member_of(ladder, "Finance", not_=(other, hider))
    say(ladder, hidden, "hide me from others")
    refused = _apply(ladder, hidden, oid)
    assert refused.data["status"] == "hidden" and "show me to others again" in refused.text
    assert _apply(ladder, owner, oid).data["status"] == "own"

    # The blind shortlist: skills and fit, letters, no names (nor hire dates); the hidden applicant never appears.
    mine = say(ladder, owner, "who applied to my opportunities?")
    assert mine.data["intent"] == "my_opportunities", mine.text
    assert {o["id"]: o["applicants"] for o in mine.data["opportunities"]}[oid] == 2  # the hider is not counted
    assert f"view_shortlist:{oid}" in [b.ref for b in mine.actions()]
    listed = click(ladder, owner, f"view_shortlist:{oid}")
    assert listed.data["status"] == "listed"
    labels = sorted(c["label"] for c in listed.data["candidates"])
    assert labels == ["Candidate A", "Candidate B"]  # the hider (Candidate C) is left out
    blob = listed.model_dump_json()
    with ladder.db.session() as s, s.begin():
        from storage.models import Person
        people = {p.email: p for p in s.scalars(select(Person).where(Person.email.in_([MAYA, other, hider])))}
        names = {e: p.name for e, p in people.items()}
        hires = [p.hire_date.isoformat() for p in people.values() if p.hire_date]
    assert not any(name in blob for name in names.values()) and not any(h in blob for h in hires)
    maya_card = next(c for c in listed.data["candidates"] if c["note"] == "I built the sales dashboards last year")
    assert maya_card["name"] is None and "SQL" in maya_card["have"] and maya_card["fit"] > 0
    assert "Candidate" in listed.cards[0].title and all(b.label.startswith("Shortlist") for c in listed.cards for b in c.buttons)
    assert say(ladder, MAYA, "who applied to my opportunities?").data["opportunities"] == []  # not hers

    # Someone else can't open the owner's shortlist.
    assert click(ladder, MAYA, f"view_shortlist:{oid}").data["status"] == "forbidden"
    # Offering before shortlisting is refused; shortlisting reveals the name to the owner (once).
    aid = maya_card["application_id"]
    early = click(ladder, owner, f"offer_place:{aid}")
    assert early.data["status"] == "invalid" and "Shortlist" in early.text
    picked = click(ladder, owner, f"shortlist_candidate:{aid}")
    assert picked.data["status"] == "shortlisted" and names[MAYA] in picked.text
    assert any("shortlisted you" in r.text for r in notifier.to(MAYA))
    assert click(ladder, owner, f"shortlist_candidate:{aid}").data["status"] == "unchanged"
    relisted = click(ladder, owner, f"view_shortlist:{oid}")
    assert names[MAYA] in relisted.model_dump_json() and names[other] not in relisted.model_dump_json()

    # Offer the place: one staff_opportunity proposal for Maya's manager, an approval card in Daniel's messages.
    offered = click(ladder, owner, f"offer_place:{aid}")
    assert offered.data["status"] == "offered", offered.text
    pid = offered.data["proposal_id"]
    assert click(ladder, owner, f"offer_place:{aid}").data["status"] == "unchanged"
    assert count(ladder, Proposal, Proposal.action_type == "staff_opportunity") == 1
    [digest] = [r for r in notifier.to(DANIEL) if r.data.get("intent") == "approvals_digest"]
    approve = next(b.ref for b in digest.actions() if b.ref.startswith(f"approve:{pid}:"))
    assert "4 hours a week" in digest.cards[0].body

    # The manager approves: Maya is placed, the only place is taken, the opportunity is filled and leaves the lists.
    decided = click(ladder, DANIEL, approve)
    assert decided.data["status"] == "decided" and decided.data["proposal"]["status"] == "executed", decided.text
    assert click(ladder, DANIEL, approve).data["status"] == "stale"  # a second click changes nothing
    assert opportunity(ladder, oid).status == "filled"
    with ladder.db.session() as s, s.begin():
        statuses = {a.person_id: a.status for a in s.scalars(select(Application).where(Application.opportunity_id == oid))}
        placed = s.scalar(select(Application).where(Application.opportunity_id == oid, Application.status == ApplicationStatus.placed))
        assert placed.id == aid and placed.hours_per_week == 4.0
    assert sorted(s.value for s in statuses.values()) == ["placed", "withdrawn", "withdrawn"]
    assert any("You're on “Churn project”" in r.text for r in notifier.to(MAYA))
    assert any("has been filled" in r.text for r in notifier.to(other))
    assert any("joins “Churn project”" in r.text for r in notifier.to(owner))
    assert oid not in [m["opportunity_id"] for m in say(ladder, other, "gigs that fit me").data["matches"]]
    assert "placed" in say(ladder, MAYA, "my applications").text
    assert audit_actions(ladder, oid)[:3] == ["opportunity.drafted", "opportunity.published", "opportunity.applied"]
    assert {"opportunity.shortlisted", "opportunity.offered", "opportunity.placed", "opportunity.filled"} <= set(audit_actions(ladder, oid))

    # The bias audit sees the placement.
    report = say(ladder, PRIYA, "run a bias audit")
    outcomes = {o["outcome"]: o for o in report.data["audit"]["outcomes"]}
    assert outcomes["marketplace_placed"]["selected"] == 1 and outcomes["marketplace_placed"]["total"] == 3
    assert outcomes["marketplace_shortlisted"]["selected"] == 1


def test_a_manager_who_rejects_the_hours_is_heard_by_the_candidate_and_the_owner(fresh_demo):
    ladder = fresh_demo
    _clock, notifier = prepare(ladder)
    owner = team_lead(ladder, "Data & Analytics")
    oid = _post_and_publish(ladder, owner)
    say(ladder, MAYA, "I know SQL at level 3")
    assert _apply(ladder, MAYA, oid).data["status"] == "applied"
    [candidate] = click(ladder, owner, f"view_shortlist:{oid}").data["candidates"]
    click(ladder, owner, f"shortlist_candidate:{candidate['application_id']}")
    pid = click(ladder, owner, f"offer_place:{candidate['application_id']}").data["proposal_id"]
    rejected = click(ladder, DANIEL, f"reject:{pid}", {"reason": "release is that month"}, form_submitted=True)
    assert rejected.data["status"] == "decided", rejected.text
    assert any("didn't go ahead" in r.text for r in notifier.to(MAYA))
    assert any("won't join" in r.text for r in notifier.to(owner))
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(Application.status).where(Application.opportunity_id == oid)) == ApplicationStatus.declined
    assert opportunity(ladder, oid).status == "open"


def test_the_owner_closes_an_opportunity_and_applicants_hear(fresh_demo):
    ladder = fresh_demo
    _clock, notifier = prepare(ladder)
    owner = team_lead(ladder, "Data & Analytics")
    oid = _post_and_publish(ladder, owner)
    say(ladder, MAYA, "I know SQL at level 3")
    _apply(ladder, MAYA, oid)
    choose = say(ladder, owner, "close my gig, we don't need it any more")
    assert choose.data["intent"] == "close_opportunity", choose.text
    assert button(choose, "Close") == f"close_opportunity:{oid}"  # the newest first
    closed = click(ladder, owner, f"close_opportunity:{oid}")
    assert closed.data["status"] == "closed" and opportunity(ladder, oid).status == "closed"
    assert any("closed by its owner" in r.text for r in notifier.to(MAYA))
    assert click(ladder, owner, f"close_opportunity:{oid}").data["status"] == "unchanged"
    assert oid not in [m["opportunity_id"] for m in say(ladder, MAYA, "gigs that fit me").data.get("matches", [])]
    late = _apply(ladder, member_of(ladder, "Finance"), oid)
    assert late.data["status"] == "closed"
    other_open = say(ladder, owner, "who applied to my opportunities?").data["opportunities"][0]["id"]
    not_hers = click(ladder, MAYA, f"close_opportunity:{other_open}")
    assert not_hers.data.get("status") == "forbidden" or "Sorry" in not_hers.text
    assert opportunity(ladder, other_open).status == "open"


def test_edit_changes_a_draft_and_bad_values_lose_nothing(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    owner = team_lead(ladder, "Data & Analytics")
    draft = say(ladder, owner, BRIEF)
    edit_ref = button(draft, "Edit")
    form = click(ladder, owner, edit_ref)
    assert form.form is not None and {f.name: f.initial for f in form.form.fields}["hours"] == "4"
    values = {f.name: f.initial for f in form.form.fields}
    bad = {**values, "closes": "2026-11-01", "title": "Churn dashboards"}
    refused = click(ladder, owner, edit_ref, bad, form_submitted=True)
    assert refused.data["status"] == "invalid" and "already passed" in refused.text
    kept = {f.name: f.initial for f in refused.form.fields}
    assert kept["title"] == "Churn dashboards" and kept["closes"] == "2026-11-01"  # what they typed comes back
    assert opportunity(ladder, draft.data["opportunity_id"]).title == "Churn project"  # nothing half-changed
    unknown = click(ladder, owner, edit_ref, {**values, "skills": "SQL, juggling on unicycles"}, form_submitted=True)
    assert unknown.data["status"] == "invalid" and "juggling" in unknown.text
    good = click(ladder, owner, edit_ref, {**values, "title": "Churn dashboards", "hours": "3", "places": "2",
                                           "skills": "SQL, use databases", "learn": "data mining"}, form_submitted=True)
    assert good.data["status"] == "updated", good.text
    data = good.data["opportunity"]
    assert (data["title"], data["hours_per_week"], data["capacity"]) == ("Churn dashboards", 3.0, 2)
    assert data["needed"] == ["SQL", "use databases"] or sorted(data["needed"]) == ["SQL", "use databases"]
    assert data["learn"] == ["data mining"]
    discarded = click(ladder, owner, button(draft, "Discard"))
    assert discarded.data["status"] == "discarded" and opportunity(ladder, draft.data["opportunity_id"]).status == "discarded"
    assert click(ladder, owner, button(draft, "Publish")).data["status"] == "invalid"


def test_projects_where_i_could_learn_a_skill(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    owner = team_lead(ladder, "Data & Analytics")
    oid = _post_and_publish(ladder, owner, "We need someone who can use databases for the reporting project, 3 hours a week "
                                          "for 6 weeks, and they'd learn Python")
    assert opportunity(ladder, oid).kind.value == "project"
    reply = say(ladder, MAYA, "projects where I could learn Python")
    assert reply.data["intent"] == "stretch_projects" and reply.data["learn"] == "Python (computer programming)", reply.text
    assert [m["opportunity_id"] for m in reply.data["matches"]] == [oid]
    # Python is what she would learn there; read by meaning, the brief's "use databases" may also bring the
    # knowledge "database", which she would learn too.
    assert "Python (computer programming)" in reply.data["matches"][0]["learn"]
    assert set(reply.data["matches"][0]["learn"]) <= {"Python (computer programming)", "database"}
