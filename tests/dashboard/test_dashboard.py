"""The web dashboard: sign-in through a link sent in chat (once, for minutes), every page loads, each visitor sees
only what the permission model allows (a manager: their own team), and bad requests get plain pages, never a 500.
End to end in headless chromium, with screenshots saved by the run (test-artifacts/screenshots)."""

from __future__ import annotations

import re
import urllib.parse

import requests
from approvals_helpers import DANIEL, MAYA, PRIYA, say
from sqlalchemy import select

from handlers.forecast import scope_gaps
from storage.models import DashboardLink, DashboardSession, Person, Proposal, Team

PAGES = {"/dashboard/": "Overview", "/dashboard/skills": "Skills heat map by team", "/dashboard/approvals": "Approvals",
         "/dashboard/audit": "Audit summary", "/dashboard/maturity": "Where we sit on the ladder",
         "/dashboard/forecast": "Skill-gap forecast", "/dashboard/outcomes": "Outcomes: retention and learning"}

FORECAST_SECONDS = 120


def link_for(served, email: str) -> str:
    reply = say(served.ladder, email, "dashboard")
    assert reply.data["intent"] == "dashboard", reply.text
    assert reply.ephemeral and reply.data["url"] in reply.text
    return reply.data["url"]


def token_of(url: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["token"][0]


def signed_in(served, email: str) -> requests.Session:
    http = requests.Session()
    url = link_for(served, email)
    page = http.get(url, timeout=10)
    assert page.status_code == 200 and "Sign in" in page.text
    done = http.post(f"{served.base}/dashboard/login", data={"token": token_of(url)}, timeout=10, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"] == "/dashboard/"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return http


def team_of(ladder, email: str) -> tuple[str, set[str]]:
    """The manager's own team name, and every other team's name."""
    with ladder.db.session() as s:
        person = s.scalar(select(Person).where(Person.email == email))
        teams = {t.id: t.name for t in s.scalars(select(Team))}
        return teams[person.team_id], set(teams.values()) - {teams[person.team_id]}


def test_hr_signs_in_through_the_chat_link_and_loads_every_page_in_chromium(served, browser, screenshots):
    url = link_for(served, PRIYA)
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.set_default_timeout(FORECAST_SECONDS * 1000)  # a forecast page fits its models while it loads
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served.base}/dashboard/")
    assert "Signed in as Priya" in page.inner_text("header")
    for path, heading in PAGES.items():
        page.goto(served.base + path)
        assert page.inner_text("h1") == heading, path
        assert "Something went wrong" not in page.content()
        name = path.strip("/").replace("/", "-") or "dashboard"
        page.screenshot(path=str(screenshots / f"hr-{name}-{served.ladder.db.dialect}.png"), full_page=True)
        assert (screenshots / f"hr-{name}-{served.ladder.db.dialect}.png").stat().st_size > 10_000
    # HR sees every team in the heat map; the navigation offers every page.
    page.goto(served.base + "/dashboard/skills")
    rows = page.locator("tbody th[scope=row]").all_inner_texts()
    with served.ladder.db.session() as s:
        teams = {name for name in s.scalars(select(Team.name))}
    assert {re.sub(r" \(\d+\)$", "", r) for r in rows} == teams
    assert page.locator("header nav a").all_inner_texts() == ["Overview", "Skills", "Approvals", "Audit", "Maturity",
                                                              "Forecast", "Outcomes"]
    # The forecast: the organisation first, and a link to every team; the chat's figures; the chart an image with alt.
    page.goto(served.base + "/dashboard/forecast")
    assert page.locator("main nav a").all_inner_texts() == sorted(teams)
    assert page.inner_text("h2") == "The organisation"
    with served.ladder.db.read_only() as uow:
        expected = [g.skill for g in scope_gaps(uow, None, 4)[:5]]
    assert expected and page.locator("tbody th[scope=row]").all_inner_texts() == expected
    assert page.locator("main img").get_attribute("alt").startswith("Bar chart of demand minus supply")
    page.get_by_role("link", name="Data & Analytics").click()
    assert page.inner_text("h2") == "Data & Analytics" and page.locator("tbody tr").count() >= 1
    # Outcomes: the attrition result, with its hazard ratio, caveats and the Kaplan–Meier chart.
    page.goto(served.base + "/dashboard/outcomes")
    text = page.inner_text("main")
    assert "hazard ratio" in text and "95% CI" in text and "Caveats" in text
    assert "association" in text.lower()
    chart = page.locator("main img")
    assert chart.get_attribute("src").startswith("data:image/png;base64,")
    assert "still employed" in chart.get_attribute("alt")
    assert page.evaluate("document.querySelector('main img').naturalWidth") > 0  # the browser decoded the PNG
    page.get_by_role("button", name="Sign out").click()
    page.goto(served.base + "/dashboard/")
    assert page.inner_text("h1") == "Please sign in"
    page.close()


def test_a_manager_sees_only_their_own_team_in_chromium(served, browser, screenshots):
    from handlers.seed_demo import prime_agent

    assert sum(prime_agent(served.ladder).created.values()) > 0  # proposals about people across the company
    own, others = team_of(served.ladder, DANIEL)
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.set_default_timeout(FORECAST_SECONDS * 1000)  # a forecast page fits its models while it loads
    page.goto(link_for(served, DANIEL))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served.base}/dashboard/")
    page.goto(served.base + "/dashboard/skills")
    rows = [re.sub(r" \(\d+\)$", "", r) for r in page.locator("tbody th[scope=row]").all_inner_texts()]
    assert rows == [own]
    body = page.content()
    assert others and not any(f">{name} (" in body for name in others)
    page.screenshot(path=str(screenshots / f"manager-skills-{served.ladder.db.dialect}.png"), full_page=True)
    # Approvals: only proposals about people who report to him.
    page.goto(served.base + "/dashboard/approvals")
    subjects = set(page.locator("tbody tr td:nth-child(3)").all_inner_texts()) - {"None yet."}
    with served.ladder.db.session() as s:
        daniel = s.scalar(select(Person).where(Person.email == DANIEL))
        reports = set(s.scalars(select(Person.name).where(Person.manager_id == daniel.id)))
    with served.ladder.db.session() as s:
        about_others = set(s.scalars(select(Person.name).join(Proposal, Proposal.subject_id == Person.id)
                                     .where(Person.manager_id != daniel.id)))
    assert subjects and subjects <= reports
    assert about_others and not about_others & subjects  # there are proposals about other people; none is shown
    # The forecast: his own team only — not the organisation, and another team's is refused when asked for by name.
    page.goto(served.base + "/dashboard/forecast")
    assert page.inner_text("h2") == own and page.locator("main nav a").count() == 0
    assert "The organisation" not in page.content()
    page.screenshot(path=str(screenshots / f"manager-forecast-{served.ladder.db.dialect}.png"), full_page=True)
    for other in sorted(others)[:2] + [""]:
        response = page.goto(served.base + "/dashboard/forecast?team=" + urllib.parse.quote(other))
        assert response.status == 403 and page.inner_text("h1") == "Not for your role", other
        assert "Skill-gap forecast" not in page.content() and (not other or other not in page.inner_text("main"))
    # Outcomes: organisation-level aggregates, groups of 5 or more, no one named.
    page.goto(served.base + "/dashboard/outcomes")
    assert "Organisation-wide aggregates only" in page.inner_text("main")
    with served.ladder.db.session() as s:
        names = set(s.scalars(select(Person.name)))
    assert names and not any(name in page.inner_text("main") for name in names)
    # The maturity page is HR's and admins': not offered, and refused when typed.
    assert "Maturity" not in page.locator("nav a").all_inner_texts()
    response = page.goto(served.base + "/dashboard/maturity")
    assert response.status == 403 and page.inner_text("h1") == "Not for your role"
    page.close()


def test_a_link_works_once_and_only_for_minutes(served):
    ladder = served.ladder
    url = link_for(served, PRIYA)
    first = requests.post(f"{served.base}/dashboard/login", data={"token": token_of(url)}, allow_redirects=False, timeout=10)
    assert first.status_code == 303
    again = requests.get(url, timeout=10)
    assert again.status_code == 403 and "already been used" in again.text and "say “dashboard”" in again.text
    reused = requests.post(f"{served.base}/dashboard/login", data={"token": token_of(url)}, allow_redirects=False, timeout=10)
    assert reused.status_code == 403
    with ladder.db.session() as s:
        assert s.scalar(select(DashboardSession.id).where(DashboardSession.id > 1)) is None  # one session from one link
        stored = list(s.scalars(select(DashboardLink.token_hash)))
    assert token_of(url) not in stored  # only a digest is kept
    late = link_for(served, PRIYA)
    ladder.now.advance(minutes=ladder.settings.dashboard_link_minutes + 1)
    expired = requests.post(f"{served.base}/dashboard/login", data={"token": token_of(late)}, allow_redirects=False, timeout=10)
    assert expired.status_code == 403 and "expired" in expired.text


def test_a_session_ends_when_it_expires(served):
    http = signed_in(served, PRIYA)
    assert http.get(f"{served.base}/dashboard/audit", timeout=10).status_code == 200
    served.ladder.now.advance(hours=served.ladder.settings.dashboard_session_hours, minutes=1)
    assert http.get(f"{served.base}/dashboard/audit", timeout=10).status_code == 401


def test_employees_get_no_link_and_strangers_no_page(served):
    reply = say(served.ladder, MAYA, "dashboard")
    assert reply.data.get("denied") and "manager" in reply.text and "url" not in reply.data
    for path in PAGES:
        r = requests.get(served.base + path, timeout=10)
        assert r.status_code == 401 and "Please sign in" in r.text
    r = requests.get(served.base + "/dashboard/skills", cookies={"ladder_dashboard": "forged"}, timeout=10)
    assert r.status_code == 401


def test_bad_sign_in_requests_get_plain_pages_never_a_500(served):
    base = served.base
    cases = [requests.get(f"{base}/dashboard/login", timeout=10),
             requests.get(f"{base}/dashboard/login?token=" + "x" * 5000, timeout=10),
             requests.post(f"{base}/dashboard/login", data={"token": ""}, timeout=10),
             requests.post(f"{base}/dashboard/login", data=b"\xff\xfe\x00garbage", timeout=10,
                           headers={"Content-Type": "multipart/form-data; boundary=nope"}),
             requests.post(f"{base}/dashboard/login", json={"token": ["a", "b"]}, timeout=10)]
    for r in cases:
        assert r.status_code in (400, 403), (r.status_code, r.text[:200])
        assert "Traceback" not in r.text and "<h1>" in r.text


def test_a_person_who_loses_the_role_loses_the_dashboard(served):
    from storage.models import AccessRole

    http = signed_in(served, DANIEL)
    assert http.get(f"{served.base}/dashboard/skills", timeout=10).status_code == 200
    with served.ladder.db.session() as s, s.begin():
        daniel = s.scalar(select(Person).where(Person.email == DANIEL))
        daniel.access_role = AccessRole.employee  # no longer a manager on record…
        for report in s.scalars(select(Person).where(Person.manager_id == daniel.id)):
            report.manager_id = None  # …nor by his reporting line
    assert http.get(f"{served.base}/dashboard/skills", timeout=10).status_code == 401
