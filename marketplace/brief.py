"""Reading an opportunity brief in plain words: hours a week, how long, the closing date, places, kind and a title.

"I need someone who can build dashboards in SQL, 4 hours a week for 3 months, for the churn project" gives
4 hours a week, 13 weeks, kind project, title "Churn project". Skills are not read here (``skills_engine.extraction``
reads them); ``learning_part`` splits off what the person would learn on the job ("…, and they'd learn Python").

Pure functions over the text and today's date, no dependencies: numbers may be digits or words (one to twelve,
"a", "half a day"), dates ISO (2026-12-20), "20 December", "Dec 20 2026", "tomorrow", "next Friday", "in 2 weeks",
"end of the month".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "couple of": 2, "few": 3}
_NUMBER = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True)) + r")"
WEEKS_PER = {"day": 1 / 5, "week": 1, "month": 52 / 12, "quarter": 13, "year": 52}
MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): n for n, name in enumerate(calendar.day_name)}
DEFAULT_CLOSING_DAYS = 14
MIN_WORDS = 4
MAX_HOURS = 40.0

_HOURS = re.compile(_NUMBER + r"\s*(?:-|to)?\s*(?:\d+\s*)?(?:hours?|hrs?|h)\b\s*(?:a|per|/|each|every)?\s*(?:week|wk)\b", re.I)
_HOURS_WEEKLY = re.compile(_NUMBER + r"\s*(?:hours?|hrs?|h)\s+weekly\b", re.I)
_DAYS_A_WEEK = re.compile(r"\b(half\s+a|" + _NUMBER[1:-1] + r")\s+days?\s+(?:a|per|each|every)\s+week\b", re.I)
_DURATION = re.compile(r"\bfor\s+(?:about\s+|around\s+|roughly\s+)?(?:the\s+next\s+)?" + _NUMBER + r"\s+(day|week|month|quarter|year)s?\b", re.I)
_DURATION_BARE = re.compile(r"\b" + _NUMBER + r"[- ](day|week|month|quarter)s?[- ](?:long|project|gig|stint)\b", re.I)
_A_QUARTER = re.compile(r"\bfor\s+(?:a|one|the)\s+(quarter|month|week|year)\b", re.I)
_CLOSING = re.compile(r"\b(?:clos(?:es|ing)(?:\s+date)?(?:\s+(?:is|on|by))?|apply\s+by|applications?\s+close(?:\s+on)?|deadline(?:\s+is)?|"
                      r"(?:open|listed)\s+until|by)\s*:?\s+(?P<date>[^,;.!?]+)", re.I)
_UNTIL = re.compile(r"\buntil\s+(?P<date>[^,;.!?]+)", re.I)
_PLACES = re.compile(r"\b" + _NUMBER + r"\s+(?:people|persons|volunteers|places|helpers|engineers|analysts|developers)\b", re.I)
_TITLE_FOR = re.compile(r"\b(?:for|on|with)\s+(?:the|our|a|an)\s+(?P<title>[\w&' -]{2,60}?\s(?:project|initiative|programme|program|"
                        r"pilot|migration|launch|team|workstream|effort|review|audit|refresh))\b", re.I)
_LEAD_IN = re.compile(r"^\s*(?:hi|hello|hey)?[\s,]*(?:(?:i|we)\s+(?:need|want|would like|are looking for|'m looking for|am looking for|"
                      r"'re looking for)|looking for|need|wanted:?|post(?:\s+a)?(?:\s+gig|\s+project)?:?)\s+"
                      r"(?:a\s+|an\s+|some\s+)?(?:someone|somebody|people|person|help|volunteers?|a\s+person)?\s*"
                      r"(?:who\s+(?:can|could|knows?\s+how\s+to)|to|with|for)?\s*", re.I)
_LEARNING = re.compile(r"\b(?:(?:and\s+)?(?:they|you)(?:'d|\s+would|\s+will|'ll)\s+(?:get\s+to\s+)?learn|(?:a\s+)?chance\s+to\s+learn|"
                       r"will\s+learn|would\s+learn|(?:you|they)\s+can\s+learn|learning|nice\s+to\s+have|bonus(?:\s+if)?|"
                       r"we(?:'ll|\s+will)\s+teach|no\s+need\s+to\s+know|on\s+the\s+job)\b", re.I)


class BriefError(ValueError):
    """The brief can't become an opportunity as it stands; the message is for the person who wrote it."""


@dataclass(frozen=True)
class Brief:
    title: str
    kind: str  # project | gig | role
    hours_per_week: float | None
    duration_weeks: int | None
    closes_on: dt.date
    capacity: int
    closes_on_said: bool  # False: the default closing date (two weeks), shown on the card to confirm


def number(text: str) -> float | None:
    text = text.strip().lower().replace(",", ".")
    if text in WORD_NUMBERS:
        return float(WORD_NUMBERS[text])
    try:
        return float(text)
    except ValueError:
        return None


def hours_per_week(text: str) -> float | None:
    m = _HOURS.search(text) or _HOURS_WEEKLY.search(text)
    if m:
        value = number(m.group(1))
    else:
        d = _DAYS_A_WEEK.search(text)
        if d is None:
            return None
        days = 0.5 if d.group(1).lower().startswith("half") else number(d.group(1))
        value = days * 8 if days is not None else None
    if value is None:
        return None
    if not 0 < value <= MAX_HOURS:
        raise BriefError(f"{value:g} hours a week isn't something I can post — give between 0.5 and {MAX_HOURS:g}.")
    return round(value * 2) / 2


def duration_weeks(text: str, today: dt.date) -> int | None:
    m = _DURATION.search(text) or _DURATION_BARE.search(text)
    if m:
        count = number(m.group(1))
        if count is None or count <= 0:
            return None
        return max(1, round(count * WEEKS_PER[m.group(2).lower()]))
    q = _A_QUARTER.search(text)
    if q:
        return max(1, round(WEEKS_PER[q.group(1).lower()]))
    u = _UNTIL.search(text)
    if u:
        end = parse_date(u.group("date"), today)
        if end is not None and end > today:
            return max(1, round((end - today).days / 7))
    return None


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """A date in plain words, or None when the words aren't one. A day and month without a year is the next one."""
    t = text.strip().lower().rstrip(".")
    t = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", t)
    t = re.sub(r"^(?:on|the|by)\s+", "", t)
    if t in ("today",):
        return today
    if t in ("tomorrow",):
        return today + dt.timedelta(days=1)
    if t in ("yesterday",):
        return today - dt.timedelta(days=1)
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})\b", t)
    if m:
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})\b", t)  # day/month/year, as most of the world writes it
    if m:
        return _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.match(r"^in\s+" + _NUMBER + r"\s+(day|week|month)s?\b", t)
    if m:
        count = number(m.group(1)) or 0
        unit = m.group(2)
        if unit == "month":
            return _add_months(today, int(count))
        return today + dt.timedelta(days=int(count * (7 if unit == "week" else 1)))
    m = re.match(r"^(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(month|week|year)\b", t)
    if m:
        if m.group(1) == "month":
            return today.replace(day=calendar.monthrange(today.year, today.month)[1])
        if m.group(1) == "week":
            return today + dt.timedelta(days=(4 - today.weekday()) % 7)
        return dt.date(today.year, 12, 31)
    m = re.match(r"^(next|this|coming)?\s*(" + "|".join(WEEKDAYS) + r")\b", t)
    if m:
        return today + dt.timedelta(days=(WEEKDAYS[m.group(2)] - today.weekday()) % 7 or 7)  # the coming one
    m = re.match(r"^(\d{1,2})\s+(?:of\s+)?([a-z]+)\.?(?:\s+(\d{4}))?\b", t)
    if m and m.group(2) in MONTHS:
        return _day_month(int(m.group(1)), MONTHS[m.group(2)], m.group(3), today)
    m = re.match(r"^([a-z]+)\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?\b", t)
    if m and m.group(1) in MONTHS:
        return _day_month(int(m.group(2)), MONTHS[m.group(1)], m.group(3), today)
    return None


def closing_date(text: str, today: dt.date) -> dt.date | None:
    """The closing date the brief names ("closes 20 December", "apply by Friday"), or None when it names none.
    Raises ``BriefError`` for a closing date in the past."""
    for m in _CLOSING.finditer(text):
        date = parse_date(m.group("date"), today)
        if date is None:
            continue
        if date < today:
            raise BriefError(f"The closing date {date:%-d %B %Y} has already passed — give a date from today on "
                             f"(for example {today + dt.timedelta(days=DEFAULT_CLOSING_DAYS):%-d %B}).")
        return date
    return None


def kind_of(text: str) -> str:
    t = text.lower()
    if re.search(r"\b(?:role|position|opening|vacancy|job)\b", t):
        return "role"
    if re.search(r"\bgigs?\b", t):
        return "gig"
    if re.search(r"\bprojects?\b|\bpilot\b|\binitiative\b|\bprogramme\b", t):
        return "project"
    return "gig"


def capacity(text: str) -> int:
    m = _PLACES.search(text)
    value = number(m.group(1)) if m else None
    return max(1, int(value)) if value else 1


def title_of(text: str) -> str:
    m = _TITLE_FOR.search(text)
    if m:
        return _tidy(m.group("title"))
    first = re.split(r"[,;.!?\n]|\s+\d+(?:[.,]\d+)?\s*(?:hours?|hrs?|h)\b|\s+for\s+" + _NUMBER, text, maxsplit=1)[0]
    first = re.sub(r"^\s*(?:gig|project|opportunity|role|opening)\s*:\s*", "", first, flags=re.I)
    first = _LEAD_IN.sub("", first).strip()
    first = _LEARNING.split(first)[0].strip()
    words = first.split()
    if not words:
        return "New opportunity"
    return _tidy(" ".join(words[:8]))


def learning_part(text: str) -> tuple[str, str]:
    """(what the person needs, what they would learn): the text split at the first learning cue of each sentence."""
    needed, learned = [], []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
        m = _LEARNING.search(sentence)
        if m is None:
            needed.append(sentence)
        else:
            needed.append(sentence[:m.start()])
            learned.append(sentence[m.end():])
    return " ".join(s for s in needed if s.strip()).strip(), " ".join(s for s in learned if s.strip()).strip()


def check_length(text: str) -> None:
    words = re.findall(r"[\w+#.-]+", text or "")
    if not words:
        raise BriefError("Tell me about the opportunity in a sentence or two — what the person would do, how many hours a "
                         "week and for how long. For example: “I need someone who can build dashboards in SQL, 4 hours a "
                         "week for 3 months, for the churn project”.")
    if len(words) < MIN_WORDS:
        raise BriefError(f"“{text.strip()}” is too short for me to post. Say what the person would do, how many hours a week "
                         "and for how long — e.g. “I need someone who can build dashboards in SQL, 4 hours a week for 3 months”.")


def read(text: str, today: dt.date) -> Brief:
    """Everything but the skills, from the brief's words. Raises ``BriefError`` (a message for the writer)."""
    check_length(text)
    closes = closing_date(text, today)
    return Brief(title=title_of(text), kind=kind_of(text), hours_per_week=hours_per_week(text),
                 duration_weeks=duration_weeks(text, today),
                 closes_on=closes or today + dt.timedelta(days=DEFAULT_CLOSING_DAYS), capacity=capacity(text),
                 closes_on_said=closes is not None)


def describe_duration(weeks: int | None) -> str:
    if not weeks:
        return "not stated"
    if weeks % 13 == 0 and weeks >= 13:
        months = weeks // 13 * 3
        return f"{weeks} weeks (about {months} months)"
    return f"{weeks} week" + ("s" if weeks != 1 else "")


def _tidy(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip(" -'")
    return (title[:1].upper() + title[1:])[:120] if title else "New opportunity"


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _day_month(day: int, month: int, year: str | None, today: dt.date) -> dt.date | None:
    if year:
        return _date(int(year), month, day)
    date = _date(today.year, month, day)
    if date is not None and date < today - dt.timedelta(days=60):  # "20 January" said in December: next year's
        date = _date(today.year + 1, month, day)
    return date


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
