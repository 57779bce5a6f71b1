"""The web dashboard for HR and leaders, served by `serve` under /dashboard/: server-rendered pages (Jinja2,
autoescaped), no JavaScript. Sign-in is a one-time link Ladder sends in chat (“dashboard”): GET shows a Sign in
button and POST consumes the link (a link preview fetching the URL can't use it up), then an HttpOnly, SameSite
cookie carries the session. What a page shows comes from ``handlers.dashboard_pages``, through the permission model.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.blocking import in_thread
from conversation.errors import log_failure
from handlers import dashboard, dashboard_pages
from handlers.context import Ladder
from insights.report import p_text, pct
from maturity.assess import STAGES

log = logging.getLogger(__name__)

COOKIE = "ladder_dashboard"
LADDER = web.AppKey("dashboard_ladder", Ladder)
TEMPLATES = web.AppKey("dashboard_templates", Environment)
PAGES = (("/dashboard/", "Overview", None), ("/dashboard/skills", "Skills", "skills"),
         ("/dashboard/approvals", "Approvals", "approvals"), ("/dashboard/audit", "Audit", "audit"),
         ("/dashboard/maturity", "Maturity", "maturity"), ("/dashboard/forecast", "Forecast", "forecast"),
         ("/dashboard/outcomes", "Outcomes", "outcomes"))


def templates() -> Environment:
    env = Environment(loader=PackageLoader("bot.web", "templates"), autoescape=select_autoescape(["html"]))
    env.globals.update(colour=colour, when=when, label=dashboard_pages.Approvals.label, zip=zip)
    return env


def colour(share: float) -> str:
    """Red through amber to green for 0..1, light enough for dark text to keep its contrast."""
    share = max(0.0, min(1.0, share))
    hue = round(120 * share)
    return f"hsl({hue}, 70%, 82%)"


def when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def mount(app: web.Application, ladder: Ladder) -> None:
    app[LADDER] = ladder
    app[TEMPLATES] = templates()
    app.router.add_get("/dashboard", to_overview)
    app.router.add_get("/dashboard/login", login_page)
    app.router.add_post("/dashboard/login", login)
    app.router.add_post("/dashboard/logout", logout)
    for path, _label, section in PAGES:
        app.router.add_get(path, page(section))


async def to_overview(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/dashboard/")


def _render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    body = request.app[TEMPLATES].get_template(name).render(**context)
    response = web.Response(text=body, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'"
    response.headers["Referrer-Policy"] = "no-referrer"  # the sign-in link never leaves in a Referer header
    return response


def _message(request: web.Request, title: str, message: str, status: int, hint: str | None = None) -> web.Response:
    return _render(request, "message.html", status=status, title=title, message=message, hint=hint, pages=None, visitor=None)


async def login_page(request: web.Request) -> web.Response:
    ladder = request.app[LADDER]
    token = request.query.get("token", "")[:200]

    def state() -> str:
        with ladder.db.read_only() as uow:
            return dashboard.link_state(ladder, uow, token)

    found = await in_thread(state)
    if found != "valid":
        return _message(request, "Sign-in link not valid", dashboard.LINK_PROBLEMS[found], 403, dashboard.ASK_AGAIN)
    return _render(request, "login.html", title="Sign in", token=token, pages=None, visitor=None)


async def login(request: web.Request) -> web.Response:
    ladder = request.app[LADDER]
    try:
        form = await request.post()
    except Exception:  # noqa: BLE001 - a malformed form body is the sender's problem, not a 500
        return _message(request, "Sign-in failed", "That sign-in request could not be read.", 400, dashboard.ASK_AGAIN)
    token = str(form.get("token", ""))[:200]

    def consume() -> dashboard.SignIn:
        with ladder.db.unit_of_work() as uow:
            return dashboard.sign_in(ladder, uow, token)

    result = await in_thread(consume)
    if result.session is None:
        return _message(request, "Sign-in link not valid", dashboard.LINK_PROBLEMS[result.problem or "unknown"], 403,
                        dashboard.ASK_AGAIN)
    response = web.Response(status=303, headers={"Location": "/dashboard/"})
    response.set_cookie(COOKIE, result.session, httponly=True, samesite="Strict", path="/dashboard",
                        secure=(ladder.settings.public_url or "").startswith("https://"),
                        max_age=ladder.settings.dashboard_session_hours * 3600)
    return response


async def logout(request: web.Request) -> web.Response:
    ladder = request.app[LADDER]

    def end() -> None:
        with ladder.db.unit_of_work() as uow:
            dashboard.sign_out(uow, request.cookies.get(COOKIE))

    await in_thread(end)
    response = _message(request, "Signed out", "You are signed out of the dashboard.", 200, dashboard.ASK_AGAIN)
    response.del_cookie(COOKIE, path="/dashboard")
    return response


def page(section: str | None):
    async def handler(request: web.Request) -> web.Response:
        ladder = request.app[LADDER]
        try:
            return await in_thread(_page, request, ladder, section)
        except Exception:  # noqa: BLE001 - a person sees a plain page with an error id, never a traceback
            error_id = log_failure(log, "dashboard page failed", path=request.path)
            return _message(request, "Something went wrong", f"This page could not be shown (error id {error_id}).", 500,
                            "Try again in a moment; if it keeps happening, give the error id to your Ladder admin.")
    return handler


def _page(request: web.Request, ladder: Ladder, section: str | None) -> web.Response:
    with ladder.db.read_only() as uow:
        person = dashboard.visitor(ladder, uow, request.cookies.get(COOKIE))
        if person is None:
            return _message(request, "Please sign in", "You are not signed in to the dashboard, or your sign-in has ended.",
                            401, dashboard.ASK_AGAIN)
        may = dashboard_pages.sections(uow, person)
        nav = [(path, label) for path, label, need in PAGES if need is None or may[need]]
        common = dict(pages=nav, current=request.path, visitor=person.name)
        if section is not None and not may[section]:
            return _render(request, "message.html", status=403, title="Not for your role", hint=None,
                           message=f"Your role doesn't include the {section} page. HR can tell you who may grant it.", **common)
        if section is None:
            heat = dashboard_pages.heat_map(ladder, uow, person) if may["skills"] else None
            assessment = dashboard_pages.maturity_assessment(ladder, uow) if may["maturity"] else None
            return _render(request, "overview.html", title="Overview", heat=heat, weakest=heat.weakest() if heat else [],
                           approvals=dashboard_pages.approvals(uow, person) if may["approvals"] else None,
                           audit=dashboard_pages.audit(ladder, uow, person) if may["audit"] else None,
                           maturity=assessment, stage_name=STAGES.get(assessment.stage, "") if assessment else "", **common)
        if section == "skills":
            return _render(request, "skills.html", title="Skills", heat=dashboard_pages.heat_map(ladder, uow, person), **common)
        if section == "approvals":
            return _render(request, "approvals.html", title="Approvals", approvals=dashboard_pages.approvals(uow, person), **common)
        if section == "audit":
            return _render(request, "audit.html", title="Audit", audit=dashboard_pages.audit(ladder, uow, person), **common)
        if section == "forecast":
            found = dashboard_pages.forecast(uow, person, request.query.get("team", None) if "team" in request.query else None)
            if found.scopes and found.chosen is None:
                return _render(request, "message.html", status=403, title="Not for your role", hint=None,
                               message="You may forecast only the team you lead; HR can see the organisation and every "
                                       "team.", **common)
            return _render(request, "forecast.html", title="Forecast", forecast=found,
                           quarters=dashboard_pages.FORECAST_QUARTERS, **common)
        if section == "outcomes":
            return _render(request, "outcomes.html", title="Outcomes", outcomes=dashboard_pages.outcomes(ladder, uow),
                           p_text=p_text, pct=pct, **common)
        assessment = dashboard_pages.maturity_assessment(ladder, uow)
        return _render(request, "maturity.html", title="Maturity", maturity=assessment,
                       stage_name=STAGES.get(assessment.stage, ""), **common)
