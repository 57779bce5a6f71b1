"""The web dashboard's sign-in, from chat: “dashboard” answers with a one-time link (valid for minutes, works once),
and the pages' visitor is whoever consumed it. Only SHA-256 digests of the link and of the browser's session are
stored (``storage/dashboard.py``); the permission model decides what each page then shows (``dashboard_pages``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from conversation import Reply
from handlers import access
from handlers.access import Capability
from handlers.context import Ladder
from handlers.intents import Intent
from storage import UnitOfWork
from storage.models import Person

USAGE = "`/ladder dashboard` — a one-time sign-in link to the web dashboard (sent only to you)"
LOGIN_PATH = "/dashboard/login"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def base_url(ladder: Ladder) -> str:
    s = ladder.settings
    return (s.public_url or f"http://{s.host}:{s.port}").rstrip("/")


def link(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    """A sign-in link for ``person``, or the permission model's refusal."""
    permission = access.gate(uow, person, Capability.view_dashboard)
    if not permission:
        return access.refused(permission, "dashboard")
    token = secrets.token_urlsafe(32)
    now = ladder.now()
    minutes = ladder.settings.dashboard_link_minutes
    uow.dashboard.add_link(digest(token), person.id, now, now + dt.timedelta(minutes=minutes))
    url = f"{base_url(ladder)}{LOGIN_PATH}?token={token}"
    text = (f"Here is your sign-in link to the Ladder dashboard — it works once and for the next {minutes} minutes, "
            f"and it is yours alone: don't forward it.\n{url}\n"
            "It shows what your role lets you see (a manager: their own team). Say “dashboard” again for a new link.")
    return Reply(text=text, ephemeral=True, data={"intent": "dashboard", "url": url, "expires_minutes": minutes})


def chat(ladder: Ladder, uow: UnitOfWork, person: Person, _intent: Intent) -> Reply:
    return link(ladder, uow, person)


def admin_dashboard(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    if args.strip():
        return Reply(text="Usage: " + USAGE, ephemeral=True)
    return link(ladder, uow, actor)


@dataclass(frozen=True)
class SignIn:
    session: str | None  # the browser's new session secret (None: refused)
    problem: str | None  # unknown | used | expired | not_allowed


LINK_PROBLEMS = {
    "unknown": "This sign-in link isn't one Ladder sent.",
    "used": "This sign-in link has already been used — each link works once.",
    "expired": "This sign-in link has expired — links work for a few minutes only.",
    "not_allowed": "Your role doesn't include the dashboard any more.",
}
ASK_AGAIN = "Ask Ladder for a new one: say “dashboard” in Slack, Teams or the terminal chat."


def link_state(ladder: Ladder, uow: UnitOfWork, token: str) -> str:
    return uow.dashboard.link_state(digest(token), ladder.now()) if token else "unknown"


def sign_in(ladder: Ladder, uow: UnitOfWork, token: str) -> SignIn:
    """Consume the link once and open a session for its person (still allowed the dashboard, and active)."""
    now = ladder.now()
    if not token:
        return SignIn(None, "unknown")
    person_id = uow.dashboard.consume_link(digest(token), now)
    if person_id is None:
        return SignIn(None, uow.dashboard.link_state(digest(token), now))
    person = uow.people.get(person_id)
    if not access.gate(uow, person, Capability.view_dashboard):
        return SignIn(None, "not_allowed")
    session = secrets.token_urlsafe(32)
    uow.dashboard.add_session(digest(session), person_id, now, now + dt.timedelta(hours=ladder.settings.dashboard_session_hours))
    uow.audit.record(action="dashboard.signed_in", actor_id=person_id, subject_id=person_id, object_type="dashboard")
    return SignIn(session, None)


def visitor(ladder: Ladder, uow: UnitOfWork, session: str | None) -> Person | None:
    """The signed-in person of a browser session, if it is current and they may still use the dashboard."""
    if not session:
        return None
    person_id = uow.dashboard.session_person(digest(session), ladder.now())
    person = uow.people.get(person_id) if person_id is not None else None
    return person if person is not None and access.gate(uow, person, Capability.view_dashboard) else None


def sign_out(uow: UnitOfWork, session: str | None) -> None:
    if session:
        uow.dashboard.end_session(digest(session))
