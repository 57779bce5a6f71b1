"""Every capability × role × target (self, own report, someone else), asked through the real directory on
SQLite and PostgreSQL: the answer is the matrix's. Plus: hr_admin is HR and admin, and governance fails closed."""

from __future__ import annotations

import pytest

from governance.permissions import MATRIX, NOBODY, Capability, Role, Target, check, roles_of, scope_for
from storage.models import AccessRole, Person

ACCESS = {Role.employee: AccessRole.employee, Role.manager: AccessRole.manager, Role.hr: AccessRole.hr,
          Role.learning: AccessRole.learning, Role.admin: AccessRole.admin}


@pytest.fixture(scope="module")
def org(db_factory):
    """Per role: a "plain" holder with nobody below them, a "lead" holder with a report and a skip-level report,
    and one outsider nobody manages. Ids by (role, kind)."""
    db = db_factory.database()
    ids: dict[tuple[str, str], int] = {}
    with db.session() as s, s.begin():
        outsider = Person(name="Olu Outsider", email="outsider@example.test")
        s.add(outsider)
        for role, access in ACCESS.items():
            plain = Person(name=f"Plain {role.value}", email=f"plain.{role.value}@example.test", access_role=access)
            lead = Person(name=f"Lead {role.value}", email=f"lead.{role.value}@example.test", access_role=access)
            s.add_all([plain, lead])
            s.flush()
            report = Person(name=f"Report of {role.value}", email=f"report.{role.value}@example.test", manager_id=lead.id)
            s.add(report)
            s.flush()
            below = Person(name=f"Skip report of {role.value}", email=f"below.{role.value}@example.test", manager_id=report.id)
            s.add(below)
            s.flush()
            ids.update({(role.value, "plain"): plain.id, (role.value, "lead"): lead.id,
                        (role.value, "report"): report.id, (role.value, "below"): below.id})
        s.flush()
        ids[("", "outsider")] = outsider.id
    yield db, ids
    db_factory.release(db)


def _held(role: Role, target: Target) -> set[Role]:
    """The roles the actor of this case holds: everyone is an employee; having a report makes one a manager."""
    held = {Role.employee, role}
    if target == Target.report:
        held.add(Role.manager)
    return held


CASES = [(c, r, t) for c in Capability for r in Role for t in Target]


@pytest.mark.parametrize(("capability", "role", "target"), CASES, ids=[f"{c.value}-{r.value}-{t.value}" for c, r, t in CASES])
def test_check_answers_what_the_matrix_says(org, capability, role, target):
    db, ids = org
    actor_id = ids[(role.value, "lead" if target == Target.report else "plain")]
    subject_id = {Target.self: actor_id, Target.report: ids[(role.value, "report")], Target.anyone: ids[("", "outsider")]}[target]
    expected = any(target in MATRIX[capability].get(r, frozenset()) for r in _held(role, target))
    with db.read_only() as uow:
        actor = uow.people.get(actor_id)
        answer = check(uow.people, actor, capability, subject_id)
    assert answer.allowed is expected
    assert answer.target == target
    if not expected:  # a refusal says what is needed (or that nobody may) in words
        assert answer.reason and ("you need to be" in answer.reason or "Nobody can" in answer.reason)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_a_skip_level_report_counts_as_a_report(org, role):
    db, ids = org
    with db.read_only() as uow:
        lead = uow.people.get(ids[(role.value, "lead")])
        answer = check(uow.people, lead, Capability.view_skills, ids[(role.value, "below")])
    assert answer.target == Target.report and answer.allowed  # managers, HR and L&D all have view_skills on reports


def test_hr_admin_holds_hr_and_admin(org):
    db, ids = org
    with db.session() as s, s.begin():
        s.get(Person, ids[("employee", "plain")]).access_role = AccessRole.hr_admin
    try:
        with db.read_only() as uow:
            person = uow.people.get(ids[("employee", "plain")])
            assert roles_of(person) == {Role.employee, Role.hr, Role.admin}
            assert check(uow.people, person, Capability.set_policy).allowed  # admin
            assert check(uow.people, person, Capability.run_bias_audit).allowed  # HR
            assert not check(uow.people, person, Capability.challenge, ids[("", "outsider")]).allowed  # neither may
    finally:
        with db.session() as s, s.begin():
            s.get(Person, ids[("employee", "plain")]).access_role = AccessRole.employee


def test_an_inactive_person_may_do_nothing(org):
    db, ids = org
    with db.session() as s, s.begin():
        s.get(Person, ids[("admin", "plain")]).active = False
    try:
        with db.read_only() as uow:
            person = uow.people.get(ids[("admin", "plain")])
            answer = check(uow.people, person, Capability.set_policy)
            assert not answer.allowed and "Ask HR" in answer.reason
            assert scope_for(uow.people, person, Capability.read_audit) == NOBODY
    finally:
        with db.session() as s, s.begin():
            s.get(Person, ids[("admin", "plain")]).active = True


class BrokenDirectory:
    """A directory whose every read fails (a database outage)."""

    def is_in_reporting_line(self, manager_id: int, person_id: int) -> bool:
        raise ConnectionError("database went away")

    def report_ids(self, manager_id: int) -> list[int]:
        raise ConnectionError("database went away")


def test_governance_fails_closed_when_the_directory_raises(org):
    db, ids = org
    with db.read_only() as uow:
        hr = uow.people.get(ids[("hr", "plain")])
        answer = check(BrokenDirectory(), hr, Capability.view_path, ids[("", "outsider")])
        assert not answer.allowed and "couldn't check your permissions" in answer.reason
        assert scope_for(BrokenDirectory(), hr, Capability.view_team) == NOBODY
    # the same person, the same question, with a working directory: yes (so the "no" above is the failure's)
    with db.read_only() as uow:
        assert check(uow.people, uow.people.get(ids[("hr", "plain")]), Capability.view_path, ids[("", "outsider")]).allowed


def test_every_capability_has_a_row_and_every_row_only_known_roles():
    assert set(MATRIX) == set(Capability)
    assert all(set(row) <= set(Role) for row in MATRIX.values())


def test_every_catalogue_intent_and_admin_command_names_a_capability_and_they_agree():
    from handlers.admin import ADMIN_COMMANDS
    from handlers.requests import ADMIN_INTENTS
    from understanding.catalogue import load

    catalogue = load()
    conversation = {"help", "greeting", "whoami", "confirm", "pick_option", "why_followup"}
    for intent in catalogue.intents:
        assert (intent.capability is None) == (intent.name in conversation), intent.name
    assert all(isinstance(c.capability, Capability) for c in ADMIN_COMMANDS.values())
    for kind, command in ADMIN_INTENTS.items():  # a request in plain words needs what its command needs
        assert catalogue[kind.value].capability == ADMIN_COMMANDS[command].capability, kind


def test_the_readme_table_is_the_commands_output():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    printed = subprocess.run([sys.executable, "app.py", "permissions"], cwd=root, capture_output=True, text=True,
                             check=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}).stdout.strip()
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- permissions:begin -->")[1].split("<!-- permissions:end -->")[0].strip()
    assert table == printed
    assert printed.splitlines()[0] == "| capability | employee | manager | hr | learning | admin |"
    assert len(printed.splitlines()) == 2 + len(Capability)


def test_the_json_matrix_is_the_matrix():
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    printed = json.loads(subprocess.run([sys.executable, "app.py", "permissions", "--json"], cwd=root, capture_output=True,
                                        text=True, check=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}).stdout)
    assert printed == {c.value: {r.value: [t.value for t in Target if t in MATRIX[c].get(r, frozenset())] for r in Role}
                       for c in Capability}


def test_having_reports_makes_an_employee_record_a_manager(org):
    db, ids = org
    with db.read_only() as uow:
        lead = uow.people.get(ids[("employee", "lead")])  # access role employee, one report
        plain = uow.people.get(ids[("employee", "plain")])
        assert roles_of(lead) == {Role.employee}  # the record alone
        assert check(uow.people, lead, Capability.view_team, lead.id).allowed  # the reporting line decides
        assert not check(uow.people, plain, Capability.view_team, plain.id).allowed
        assert scope_for(uow.people, lead, Capability.view_team).person_ids == {lead.id, ids[("employee", "report")],
                                                                                ids[("employee", "below")]}
