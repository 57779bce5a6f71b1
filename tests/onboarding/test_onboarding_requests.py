"""Registering a new hire in words (HR yes, an employee no), every kind of bad input, the HRIS entry point, and
the mandatory-course policy commands."""

from __future__ import annotations

from approvals_helpers import DANIEL, MAYA, PRIYA, person_id, prepare, say
from onboarding_helpers import HIRE_JANE, JANE, people_count, proposals_about, record

import onboarding
from storage.models import Person


def test_hr_onboards_someone_in_plain_words(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    reply = say(ladder, PRIYA, "onboard Sam Ortiz (sam.ortiz@kestrel.example) as cloud engineer reporting to daniel, "
                               "starting 2026-12-14")
    assert reply.data["intent"] == "onboard_hire" and reply.data["status"] == "started", reply.text
    assert "Sam Ortiz" in reply.text and "reporting to Daniel Okafor" in reply.text and "2026-12-14" in reply.text
    with ladder.db.session() as s:
        sam = s.query(Person).filter_by(email="sam.ortiz@kestrel.example").one()
        assert sam.role.label == "cloud engineer" and sam.manager_id == person_id(ladder, DANIEL)
    assert record(ladder, "sam.ortiz@kestrel.example").start_date.isoformat() == "2026-12-14"


def test_an_employee_asking_to_onboard_someone_is_refused_with_who_can_grant_it(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    before = people_count(ladder)
    for text in ("onboard my friend Ben Hall (ben.hall@kestrel.example) as a software developer",
                 '/ladder hire ben.hall@kestrel.example "Ben Hall" as software developer'):
        reply = say(ladder, MAYA, text)
        assert reply.data.get("status") == "forbidden", (text, reply.text)
        assert "To onboard a new hire you need to be in HR or an admin" in reply.text and "Who can grant it" in reply.text
    assert people_count(ladder) == before


def test_bad_input_gets_a_clear_reply_and_changes_nothing(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    before = people_count(ladder)
    cases = {
        '/ladder hire x.y@kestrel.example "X Y" as astronaut chef': ("unknown_role", "isn't a role I know"),
        '/ladder hire x.y@kestrel.example "X Y" as data analyst reporting to nobody@kestrel.example':
            ("unknown_manager", "can't find a manager with the email nobody@kestrel.example"),
        '/ladder hire x.y@kestrel.example "X Y" as data analyst reporting to zebedee': ("unknown_manager", "called “zebedee”"),
        '/ladder hire x.y@kestrel.example "X Y" as data analyst starting 2026-02-30': ("bad_date", "isn't a date I can read"),
        '/ladder hire x.y@kestrel.example "X Y" as data analyst starting whenever': ("bad_date", "“whenever” isn't a date"),
        '/ladder hire x.y@kestrel.example "X Y" as data analyst starting 2031-01-01': ("bad_date", "too far from today"),
        '/ladder hire x.y@kestrel.example "X Y" as data analyst team Moon Base': ("unknown_team", "There's no team “Moon Base”"),
        f'/ladder hire {MAYA} "Maya Patel" as data analyst': ("already_employee", "already an employee"),
        '/ladder hire "X Y" as data analyst': ("needs_email", "work email"),
        "/ladder hire x.y@kestrel.example as data analyst": ("needs_name", "name"),
        '/ladder hire x.y@kestrel.example "X Y"': ("needs_role", "Which role"),
        "/ladder hire": ("usage", "Usage"),
    }
    for text, (status, words) in cases.items():
        reply = say(ladder, PRIYA, text)
        assert reply.data.get("status") == status, (text, reply.text)
        assert words in reply.text, (text, reply.text)
    assert people_count(ladder) == before
    assert record(ladder, MAYA) is None


def test_the_hris_entry_point_onboards_someone_already_in_the_directory_once(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    with ladder.db.unit_of_work() as uow:
        daniel = uow.people.by_email(DANIEL)
        uow.add(Person(name="Ada Byron", email="ada.byron@kestrel.example", manager_id=daniel.id, team_id=daniel.team_id,
                       role_id=daniel.role_id, job_title="imported", active=True))
    ada = person_id(ladder, "ada.byron@kestrel.example")
    graph = None
    for attempt in range(2):
        with ladder.db.unit_of_work() as uow:
            graph = graph or ladder.indexes.graph(uow.skills.taxonomy)
            started = onboarding.start_onboarding(uow, ada, now=clock(), graph=graph, source="hris")
        assert started.status == ("started" if attempt == 0 else "already")
    assert record(ladder, "ada.byron@kestrel.example").source == "hris"
    assert len(proposals_about(ladder, "ada.byron@kestrel.example")) == 2  # SC101 and the plan (Daniel's team isn't data)
    # The commit is the caller's; the pass then sends Daniel the cards — once — and, since she starts today, the welcome.
    first, second = onboarding.run(ladder.approvals), onboarding.run(ladder.approvals)
    assert first.announced == [ada] and second.announced == [] and first.welcomed == [ada]
    assert len([r for r in notifier.to(DANIEL) if r.data.get("intent") == "approvals_digest"]) == 1
    with ladder.db.unit_of_work() as uow:
        try:
            onboarding.start_onboarding(uow, 999999, now=clock(), graph=graph)
        except onboarding.OnboardingError as exc:
            assert "no active person" in str(exc)
        else:
            raise AssertionError("an unknown person was onboarded")


def test_an_undelivered_welcome_is_tried_again_and_then_sent_once(fresh_demo):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    say(ladder, PRIYA, HIRE_JANE)
    ladder.notifiers.replace_all([])  # no channel reaches anyone
    clock.at = clock.at.replace(year=2026, month=12, day=7)
    report = onboarding.run(ladder.approvals)
    assert report.welcomed == [] and report.undelivered == [person_id(ladder, JANE)]
    assert record(ladder, JANE).welcome_sent_at is None
    ladder.notifiers.add(notifier)
    assert onboarding.run(ladder.approvals).welcomed == [person_id(ladder, JANE)]
    assert onboarding.run(ladder.approvals).welcomed == []
    assert len([r for r in notifier.to(JANE) if r.data.get("intent") == "onboarding_welcome"]) == 1


def test_the_mandatory_course_policy_is_listed_changed_and_applied(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    shown = say(ladder, PRIYA, "/ladder mandatory")
    assert {(r["course"], r["scope"]) for r in shown.data["rules"]} == {("SC101", "everyone"), ("DS120", "team")}
    added = say(ladder, PRIYA, "/ladder mandatory add CL101 for role cloud engineer")
    assert added.data["status"] == "added" and "CL101 “Cloud Foundations” — new hires in role cloud engineer" in added.text
    assert say(ladder, PRIYA, "/ladder mandatory add CL101 for role cloud engineer").data["status"] == "unchanged"
    assert say(ladder, PRIYA, "/ladder mandatory remove SC101").data["status"] == "removed"
    assert say(ladder, PRIYA, "/ladder mandatory remove SC101").data["status"] == "unchanged"
    for text, words in (("/ladder mandatory add XX999", "can't find a course “XX999”"),
                        ("/ladder mandatory add CL101 for team Moon Base", "There's no team “Moon Base”"),
                        ("/ladder mandatory add CL101 for role astronaut chef", "I don't know the role"),
                        ("/ladder mandatory add CL101 for the nice people", "Say who it is for")):
        reply = say(ladder, PRIYA, text)
        assert reply.data["status"] == "refused" and words in reply.text, (text, reply.text)
    assert say(ladder, MAYA, "/ladder mandatory add CL101").data["intent"] == "admin_denied"
    assert say(ladder, MAYA, "which courses are mandatory for new hires?").data.get("status") == "forbidden"
    listed = say(ladder, PRIYA, "which courses are mandatory for new hires?")
    assert listed.data["intent"] == "mandatory_courses" and len(listed.data["rules"]) == 2

    hired = say(ladder, PRIYA, '/ladder hire olu.ade@kestrel.example "Olu Ade" as cloud engineer reporting to daniel.okafor@kestrel.example')
    assert [m["course"] for m in hired.data["mandatory"]] == ["CL101"]  # SC101 no longer; DS120 is the data team's
    listing = say(ladder, PRIYA, "/ladder onboarding")
    assert [o["person"] for o in listing.data["onboardings"]] == ["olu.ade@kestrel.example"]


def test_the_new_hire_s_export_holds_their_plan_but_not_their_colleagues_names(fresh_demo):
    from governance.privacy.export import build_export, to_json

    ladder = fresh_demo
    clock, _ = prepare(ladder)
    plan_id = say(ladder, PRIYA, HIRE_JANE).data["plan_proposal_id"]
    with ladder.db.unit_of_work() as uow:
        plan = uow.proposals.get(plan_id)
        buddy, team = plan.payload["buddy_name"], plan.payload["meet_the_team"]
        exported = build_export(uow, person_id(ladder, JANE), clock())
    assert buddy and team
    [mine] = [p for p in exported["proposals_about_me"] if p["id"] == plan_id]
    assert mine["payload"]["checkins"] == plan.payload["checkins"] and "buddy_name" not in mine["payload"]
    text = to_json({"proposals": exported["proposals_about_me"]})
    assert buddy not in text and not any(name in text for name in team)
