"""The Learning Record Store over real HTTP, on SQLite and PostgreSQL: the specification's own example statements are
accepted and read back whole, bad ones get 400 with the reason, a statement is stored once, voiding undoes what it
did, and evidence keeps its rank — a completion is weak evidence, a passed assessment with a score is stronger."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from sqlalchemy import func, select

from xapi_helpers import TEMPLATES, VERSION, spec_statements
from skills_engine.proficiency import VERIFYING
from storage.models import Course, CourseSkill, Enrolment, EvidenceType, Person, SkillEvidence, XapiActivityCourse, XapiStatement

MAYA = "maya.patel@kestrel.example"
ADL = "http://adlnet.gov/expapi/verbs/"


def _rows(lrs, statement_id: str) -> int:
    with lrs.ladder.db.session() as s:
        return s.scalar(select(func.count()).select_from(XapiStatement).where(XapiStatement.statement_id == statement_id))


def _course_for(lrs, email: str) -> tuple[int, int, str]:
    """A course with skill tags that the person is not enrolled in, mapped to an LMS activity id: (person id, course
    id, activity id)."""
    with lrs.ladder.db.session() as s:
        person = s.scalar(select(Person).where(Person.email == email))
        enrolled = select(Enrolment.course_id).where(Enrolment.person_id == person.id)
        used = select(XapiActivityCourse.course_id)
        course = s.scalars(select(Course).join(CourseSkill, CourseSkill.course_id == Course.id)
                           .where(Course.id.not_in(enrolled), Course.id.not_in(used)).order_by(Course.id)).first()
        person_id, course_id, code = person.id, course.id, course.code
    activity = f"https://lms.example.com/courses/{code}"
    with lrs.ladder.db.unit_of_work() as uow:  # the LMS's activity id is mapped to the course (`app.py lms map`)
        uow.xapi.map_activity(activity, course_id)
    return person_id, course_id, activity


def _evidence(lrs, person_id: int, activity: str) -> list[tuple[EvidenceType, int]]:
    code = activity.rsplit("/", 1)[-1]
    with lrs.ladder.db.session() as s:
        rows = s.scalars(select(SkillEvidence).where(SkillEvidence.person_id == person_id,
                                                     SkillEvidence.source.like(f"xAPI % {code}"))).all()
        return sorted((r.evidence_type, r.level) for r in rows)


def _statement(verb: str, activity: str, email: str = MAYA, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"objectType": "Agent", "mbox": f"mailto:{email}"},
            "verb": {"id": ADL + verb, "display": {"en-US": verb}}, "object": {"id": activity}, **extra}


@pytest.mark.parametrize("name,statement", spec_statements(), ids=[n[:40] for n, _ in spec_statements()])
def test_every_example_statement_of_the_specification_is_accepted_and_read_back_whole(lrs, name, statement):
    sent = {**statement, "id": statement.get("id", str(uuid.uuid4()))}
    response = lrs.post(sent)
    assert response.status_code == 200, response.text
    assert response.json() == [sent["id"].lower()]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Consistent-Through" in response.headers
    back = lrs.get(statementId=sent["id"]).json()
    for key, value in sent.items():
        if key not in ("stored", "authority", "version", "context", "id", "timestamp"):
            assert back[key] == value, key  # nothing lost or changed
    assert back["authority"]["name"] == "Test LMS" and back["stored"]
    assert _rows(lrs, sent["id"].lower()) == 1


def test_a_batch_is_stored_in_order_and_whole_or_not_at_all(lrs):
    good = [_statement("experienced", "http://example.com/a"), _statement("experienced", "http://example.com/b")]
    response = lrs.post(good)
    assert response.status_code == 200 and response.json() == [s["id"] for s in good]
    bad = [_statement("experienced", "http://example.com/c"), {**_statement("experienced", "x"), "verb": {"id": "not an iri"}}]
    refused = lrs.post(bad)
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["path"] == "$[1].verb.id"
    assert _rows(lrs, bad[0]["id"]) == 0  # the valid one of the refused batch was not stored either


INVALID = [  # (template, where it goes in the default statement)
    ("statements/no_actor.json", None), ("statements/no_verb.json", None), ("statements/no_object.json", None),
    ("statements/object_statementref_no_id.json", None),
    ("verbs/no_id.json", "verb"), ("agents/account_no_homepage.json", "actor"), ("agents/account_no_name.json", "actor"),
    ("groups/anonymous_no_member.json", "actor"), ("groups/identified_account_no_homepage.json", "actor"),
    ("activities/no_id.json", "object"), ("activities/name_invalid.json", "object"),
    ("activities/description_invalid.json", "object"), ("activities/interaction_type_invalid_object.json", "object"),
    ("activities/interaction_type_invalid_string.json", "object"), ("activities/interaction_type_invalid_numeric.json", "object"),
    ("contexts/invalid_activity.json", "context"),
    ("substatements/no_actor.json", "object"), ("substatements/no_verb.json", "object"), ("substatements/no_object.json", "object"),
    ("substatements/verb_invalid.json", "object"), ("substatements/statementref_no_id.json", "object"),
    ("substatements/activity_definition_name_invalid.json", "object"),
    ("substatements/context_invalid_language_map.json", "object"),
    ("substatements/interaction_component_invalid_language_map.json", "object"),
]


@pytest.mark.parametrize("template,slot", INVALID, ids=[t for t, _ in INVALID])
def test_the_conformance_suites_invalid_templates_are_refused_with_the_reason(lrs, template, slot):
    default = json.loads((TEMPLATES / "statements" / "default.json").read_text())
    part = json.loads((TEMPLATES / template).read_text())
    statement = part if slot is None else {**default, slot: part}
    response = lrs.post(statement)
    assert response.status_code == 400, (template, response.text)
    body = response.json()
    assert body["error"].startswith("invalid statement: $") and body["problems"][0]["reason"]


def test_the_same_id_twice_is_stored_once_and_other_content_under_it_is_a_conflict(lrs):
    statement = _statement("experienced", "http://example.com/twice")
    assert lrs.post(statement).status_code == 200
    again = lrs.post(statement)
    assert again.status_code == 200 and again.json() == [statement["id"]]
    assert lrs.put(statement, statement["id"]).status_code == 204
    assert _rows(lrs, statement["id"]) == 1
    other = {**statement, "verb": {"id": ADL + "attempted"}}
    conflict = lrs.post(other)
    assert conflict.status_code == 409 and "other content" in conflict.json()["error"]
    assert lrs.put(other, statement["id"]).status_code == 409
    assert lrs.get(statementId=statement["id"]).json()["verb"]["id"] == ADL + "experienced"  # unchanged


def test_two_concurrent_posts_of_one_statement_store_it_once(lrs):
    statement = _statement("experienced", "http://example.com/race")
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(lrs.post(statement).status_code)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    assert _rows(lrs, statement["id"]) == 1


def test_completion_is_weak_evidence_a_scored_pass_is_stronger_and_a_failure_none(lrs):
    person_id, course_id, code = _course_for(lrs, MAYA)
    assert lrs.post(_statement("failed", code, result={"success": False, "score": {"scaled": 0.3}})).status_code == 200
    assert _evidence(lrs, person_id, code) == []
    assert lrs.post(_statement("completed", code, result={"completion": True})).status_code == 200
    completed = _evidence(lrs, person_id, code)
    assert completed and {kind for kind, _ in completed} == {EvidenceType.course_completion}
    assert not VERIFYING & {kind for kind, _ in completed}  # completion never verifies a skill
    with lrs.ladder.db.session() as s:
        enrolment = s.scalar(select(Enrolment).where(Enrolment.person_id == person_id, Enrolment.course_id == course_id))
        assert enrolment.status.value == "completed" and enrolment.source == "lms"
    assert lrs.post(_statement("passed", code, result={"success": True, "score": {"scaled": 0.92}})).status_code == 200
    kinds = [kind for kind, _ in _evidence(lrs, person_id, code)]
    assert EvidenceType.assessment in kinds and EvidenceType.assessment in VERIFYING


def test_a_pass_without_a_score_is_only_weak_evidence(lrs):
    person_id, _, code = _course_for(lrs, MAYA)
    assert lrs.post(_statement("passed", code, result={"success": True})).status_code == 200
    assert {kind for kind, _ in _evidence(lrs, person_id, code)} == {EvidenceType.course_completion}


def test_voiding_undoes_the_evidence_and_the_enrolment_and_hides_the_statement(lrs):
    person_id, course_id, code = _course_for(lrs, MAYA)
    passed = _statement("passed", code, result={"success": True, "score": {"raw": 9, "min": 0, "max": 10}})
    assert lrs.post(passed).status_code == 200
    assert _evidence(lrs, person_id, code)
    voiding = {"actor": {"mbox": "mailto:lms-admin@example.com"}, "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": passed["id"]}}
    assert lrs.post(voiding).status_code == 200
    assert _evidence(lrs, person_id, code) == []
    with lrs.ladder.db.session() as s:
        assert s.scalar(select(Enrolment).where(Enrolment.person_id == person_id, Enrolment.course_id == course_id)) is None
    assert lrs.get(statementId=passed["id"]).status_code == 404
    assert lrs.get(voidedStatementId=passed["id"]).json()["id"] == passed["id"]
    listed = [s["id"] for s in lrs.get(verb=ADL + "passed", limit="500").json()["statements"]]
    assert passed["id"] not in listed


def test_voiding_a_voiding_statement_is_refused(lrs):
    target = _statement("experienced", "http://example.com/void-me")
    lrs.post(target)
    first = {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": ADL + "voided"},
             "object": {"objectType": "StatementRef", "id": target["id"]}}
    assert lrs.post(first).status_code == 200
    second = {**first, "id": str(uuid.uuid4()), "object": {"objectType": "StatementRef", "id": first["id"]}}
    assert lrs.post(second).status_code == 400


def test_filters_and_the_more_link_page_through_everything_once(lrs):
    activity = f"http://example.com/paged/{uuid.uuid4()}"
    sent = [_statement("experienced", activity) for _ in range(7)]
    assert lrs.post(sent).status_code == 200
    seen: list[str] = []
    page = lrs.get(activity=activity, limit="3").json()
    while True:
        seen += [s["id"] for s in page["statements"]]
        if not page["more"]:
            break
        page = lrs.http.get(lrs.server.url + page["more"], auth=(lrs.key, lrs.secret), headers=VERSION).json()
    assert sorted(seen) == sorted(s["id"] for s in sent) and len(seen) == 7  # nothing lost or doubled
    agent = json.dumps({"mbox": f"mailto:{MAYA}"})
    found = lrs.get(agent=agent, limit="50").json()["statements"]
    # Maya's own, or (§2.1.3) a statement referring to one of hers, such as the voiding statement of an earlier test.
    assert found and all(s["actor"].get("mbox") == f"mailto:{MAYA}" or s["object"].get("objectType") == "StatementRef"
                         for s in found)


@pytest.mark.parametrize("case", ["no credentials", "wrong secret", "unknown key", "revoked"])
def test_wrong_credentials_get_401(lrs, case):
    statement = _statement("experienced", "http://example.com/auth")
    if case == "revoked":
        from handlers import lms_clients

        with lrs.ladder.db.unit_of_work() as uow:
            client = lms_clients.add(lrs.ladder, uow, f"Old LMS {uuid.uuid4().hex[:6]}", None)
        with lrs.ladder.db.unit_of_work() as uow:
            assert lms_clients.revoke(lrs.ladder, uow, client.name, None)
        auth = (client.key, client.secret)
    else:
        auth = {"no credentials": ("", ""), "wrong secret": (lrs.key, "nope"), "unknown key": ("lms_nobody", lrs.secret)}[case]
    response = lrs.http.post(lrs.url, json=statement, headers=VERSION, auth=auth if auth[0] else None)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")
    assert _rows(lrs, statement["id"]) == 0


@pytest.mark.parametrize("version", [None, "", "0.95", "2.0.0", "1.1.0"])
def test_a_missing_or_unknown_version_header_gets_400(lrs, version):
    headers = {"Content-Type": "application/json"} | ({"X-Experience-API-Version": version} if version is not None else {})
    response = lrs.http.post(lrs.url, data=json.dumps(_statement("experienced", "http://e.com/v")), headers=headers,
                             auth=(lrs.key, lrs.secret))
    assert response.status_code == 400 and "X-Experience-API-Version" in response.json()["error"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_malformed_and_oversized_bodies_get_the_right_status(lrs):
    assert lrs.post(None, raw=b"{not json").status_code == 400
    assert lrs.post(None, raw="[]".encode()).status_code == 400
    assert lrs.post(None, raw=b"\xff\xfe").status_code == 400
    big = b'{"x": "' + b"a" * (lrs.ladder.settings.xapi_max_body_bytes + 10) + b'"}'
    assert lrs.post(None, raw=big).status_code == 413
    assert lrs.get(statementId="not-a-uuid").status_code == 400
    assert lrs.get(since="yesterday").status_code == 400
    assert lrs.http.delete(lrs.url, headers=VERSION, auth=(lrs.key, lrs.secret)).status_code == 405


def test_a_learners_statements_go_with_their_erasure_step(lrs):
    person_id, _, code = _course_for(lrs, MAYA)
    lrs.post(_statement("completed", code))
    with lrs.ladder.db.unit_of_work() as uow:
        assert uow.xapi.statements_of(person_id)
        assert uow.xapi.delete_for_person(person_id) >= 1
        assert uow.xapi.statements_of(person_id) == []
