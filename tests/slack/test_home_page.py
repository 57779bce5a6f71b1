"""handlers/home.py: the channel-neutral home page (Slack shows it as App Home)."""

from __future__ import annotations


from sqlalchemy import select

from conversation import ActionRef
from handlers.home import home
from storage.models import Occupation, Person, Proposal, ProposalStatus


def _person(session, email):
    return session.scalar(select(Person).where(Person.email == email))


def test_home_shows_skills_target_and_only_my_pending_decisions(fresh_demo):
    with fresh_demo.db.session() as s, s.begin():
        maya, daniel = _person(s, "maya.patel@kestrel.example"), _person(s, "daniel.okafor@kestrel.example")
        maya.target_role_id = s.scalar(select(Occupation.id).where(Occupation.label == "data scientist"))
        mine = Proposal(action_type="enrol_course", subject_id=maya.id, approver_id=daniel.id, rationale="Closes a gap.")
        decided = Proposal(action_type="enrol_course", subject_id=maya.id, approver_id=daniel.id, status=ProposalStatus.approved)
        someone_elses = Proposal(action_type="enrol_course", subject_id=daniel.id, approver_id=None)
        s.add_all([mine, decided, someone_elses])
        s.flush()
        mine_id = mine.id

    with fresh_demo.db.unit_of_work() as s:  # home() takes a unit of work
        maya_home = home(fresh_demo, s, s.people.by_email("maya.patel@kestrel.example"))
        titles = [c.title for c in maya_home.cards]
        assert titles[:2] == ["Your verified skills", "Target role: data scientist"]
        assert maya_home.data["pending_proposals"] == []
        assert any(b.ref.startswith("show_path:") for b in maya_home.cards[1].buttons)

        daniel_home = home(fresh_demo, s, s.people.by_email("daniel.okafor@kestrel.example"))
        assert daniel_home.data["pending_proposals"] == [mine_id]
        card = daniel_home.cards[-1]
        assert "Maya Patel" in card.title and card.body == "Closes a gap."
        refs = [ActionRef.decode(b.ref) for b in card.buttons]
        assert [(r.kind.value, r.target, r.version) for r in refs] == [
            ("approve", str(mine_id), 1), ("reject", str(mine_id), 1), ("override", str(mine_id), 1)]
