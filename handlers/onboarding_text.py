"""What people type to register a new hire, parsed in one place — the exact command and plain sentences alike:

    /ladder hire jane.doe@kestrel.example "Jane Doe" as data analyst reporting to daniel.okafor@kestrel.example
        team Data & Analytics starting 2026-12-07
    onboard Jane Doe (jane.doe@kestrel.example) as data analyst reporting to daniel, starting next monday
    please set up onboarding for “Ana Lima” ana.lima@kestrel.example, a cloud engineer, starting 7 December

The parts are returned as typed; the use case resolves the role, the manager and the team and says what is wrong.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

EMAIL = re.compile(r"<?(?:mailto:)?([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})(?:\|[^>]*)?>?")
_STOP = r"(?=\s*(?:[,;]|\breporting\b|\breports?\s+to\b|\bunder\b|\bmanager\b|\bmanaged\s+by\b|\bon\s+the\b|\bin\s+the\b|\bjoining\b|" \
        r"\bteam\b|\bstart(?:s|ing|\s+date)?\b|\bfrom\b|\bbeginning\b|\bwith\s+effect\b|\bon\s+\d|\bnext\b|\bplease\b|\bthanks?\b|$))"
_ROLE = re.compile(r"\bas\s+(?:an?\s+|our\s+new\s+|the\s+new\s+|new\s+)?(?P<role>.+?)" + _STOP, re.IGNORECASE)
_ROLE_ALT = re.compile(r",\s*(?:an?|our|the)\s+(?:new\s+)?(?P<role>[^,;]+?)" + _STOP, re.IGNORECASE)
_MANAGER = re.compile(r"\b(?:reporting\s+to|reports?\s+to|under|managed\s+by|manager(?:\s+is)?:?)\s+(?P<manager>\S+@\S+|[^,;]+?)" + _STOP,
                      re.IGNORECASE)
_TEAM = re.compile(r"(?:\b(?:on|in|joining|into)\s+(?:the\s+)?(?P<team1>[^,;]+?)\s+team\b|\bteam:?\s+(?P<team2>[^,;]+?)" + _STOP + ")",
                   re.IGNORECASE)
_START = re.compile(r"\b(?:starting(?:\s+on)?|starts(?:\s+on)?|start(?:\s+date)?(?:\s+is)?:?|from|beginning|on)\s+(?P<date>[^,;]+?)"
                    r"(?=\s*(?:[,;]|\breporting\b|\breports?\s+to\b|\bteam\b|\bas\b|\bplease\b|\bthanks?\b|$))", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“”‘’']([^\"“”‘’']{2,120})[\"“”‘’']")
_LEAD = re.compile(r"^\s*/?(?:ladder\s+)?(?:hire|onboard(?:ing)?|register|add|set\s+up|please|could\s+you|can\s+you|kindly|new\s+hire:?|"
                   r"a\s+new\s+hire|start|we\s+hired|we've\s+hired|we\s+have\s+hired|for|the|new|starter|joiner|employee|our|"
                   r"onboarding\s+for)\b\s*", re.IGNORECASE)
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name} | {"sept": 9}
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}


@dataclass(frozen=True)
class HireText:
    email: str | None
    name: str | None
    role: str | None
    manager: str | None  # an email or a name
    team: str | None
    start: str | None  # as typed; ``parse_date`` reads it


def parse_hire(text: str) -> HireText:
    body = text.strip()
    manager_m = _MANAGER.search(body)
    manager = _clean(manager_m.group("manager")) if manager_m else None
    manager_email = EMAIL.search(manager).group(1) if manager and EMAIL.search(manager) else None
    if manager_email:
        manager = manager_email
    emails = [m.group(1) for m in EMAIL.finditer(body) if m.group(1).lower() != (manager_email or "").lower()]
    starts = [_clean(m.group("date")) for m in _START.finditer(body)]
    start = next((s for s in starts if _looks_like_date(s)), None)
    if start is None and re.search(r"\bstart(?:s|ing)?\b", body, re.IGNORECASE):
        start = next((s for s in starts if not s.lower().startswith(("the ", "team"))), None)  # "starting soonish": a bad date
    team_m = _TEAM.search(body)
    team = _clean(team_m.group("team1") or team_m.group("team2")) if team_m else None
    role_m = _ROLE.search(body) or _ROLE_ALT.search(body)
    role = _clean(role_m.group("role")) if role_m else None
    if role and EMAIL.search(role):
        role = None
    return HireText(email=emails[0].lower() if emails else None, name=_name(body, emails), role=role, manager=manager,
                    team=team, start=start)


def _name(body: str, emails: list[str]) -> str | None:
    quoted = _QUOTED.search(body)
    if quoted:
        return _clean(quoted.group(1))
    if not emails:
        return None
    head = body[:body.lower().find(emails[0].lower())]
    head = re.sub(r"[(<\[]\s*(?:mailto:)?$", "", head.strip()).strip()
    for _ in range(6):
        stripped = _LEAD.sub("", head)
        if stripped == head:
            break
        head = stripped
    head = re.sub(r"\b(?:as|email|e-mail|with\s+email|at)\s*:?$", "", head, flags=re.IGNORECASE).strip(" ,:-(")
    words = [w for w in head.split() if w[:1].isupper()]
    if 1 < len(words) <= 5 and len(words) == len(head.split()):
        return " ".join(words)
    if len(head.split()) == 1 and head[:1].isupper():
        return head
    # the name may follow the email: "jane@… (Jane Doe)"
    tail = body[body.lower().find(emails[0].lower()) + len(emails[0]):]
    after = re.match(r"\s*[>)]?\s*[(\[]\s*([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})\s*[)\]]", tail)
    return after.group(1) if after else None


def _clean(value: str) -> str:
    return value.strip().strip(".!?").strip().strip("“”\"'").strip()


def _looks_like_date(text: str) -> bool:
    lowered = text.lower()
    return bool(re.search(r"\d", lowered)) or any(w in lowered for w in (*MONTHS, *WEEKDAYS, "today", "tomorrow", "monday"))


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """ISO dates, "today", "tomorrow", "(next) monday", "7 December (2026)", "December 7(, 2026)", "7/12/2026" (day
    first); a date without a year is the next one to come. None: not a date."""
    t = text.strip().lower().rstrip(".").replace(",", " ")
    t = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", t)
    t = re.sub(r"^(?:on|the)\s+", "", t)
    t = re.sub(r"\s+of\s+", " ", t)
    words = t.split()
    if not words:
        return None
    if len(words) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", words[0]):
        try:
            return dt.date.fromisoformat(words[0])
        except ValueError:
            return None
    if t in ("today", "now", "asap"):
        return today
    if t == "tomorrow":
        return today + dt.timedelta(days=1)
    weekday = words[-1] if words[-1] in WEEKDAYS else None
    if weekday and len(words) <= 2 and (len(words) == 1 or words[0] in ("next", "this", "coming")):
        ahead = (WEEKDAYS[weekday] - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead)
    slash = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", t)
    if slash:
        return _date(int(slash.group(3)), int(slash.group(2)), int(slash.group(1)))
    day = month = year = None
    for w in words:
        if w in MONTHS and month is None:
            month = MONTHS[w]
        elif w.isdigit() and len(w) == 4 and year is None:
            year = int(w)
        elif w.isdigit() and len(w) <= 2 and day is None:
            day = int(w)
        else:
            return None
    if day is None or month is None:
        return None
    if year is None:
        guess = _date(today.year, month, day)
        if guess is not None and guess < today:
            guess = _date(today.year + 1, month, day)
        return guess
    return _date(year, month, day)


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
