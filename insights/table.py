"""One row per person: the table every analysis reads.

From the database (``person_table``): the time from hire to leaving (or to today, for people still employed) in
years and whether they left (``event``), the reason, learning exposure, the number of courses completed, role level
and department. From a CSV (``csv_table``): the columns the file has, with ``time`` and ``event`` made from the
columns named on the command line.

Learning exposure (``learning``) is "completed a course in the first ``LEARNING_WINDOW_DAYS`` days after the hire
date": a property fixed near the start of the clock, so that the people who stayed longer did not simply have more
time to take a course (the immortal-time bias of "ever trained").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from insights.problems import InsightsInputError

LEARNING_WINDOW_DAYS = 90
DAYS_PER_YEAR = 365.25
TIME, EVENT = "time", "event"
_LEAD = re.compile(r"\b(head|chief|director|manager|lead)\b", re.IGNORECASE)
_SENIOR = re.compile(r"\b(senior|principal|staff)\b", re.IGNORECASE)


def role_level(job_title: str | None) -> str:
    """``lead`` (manages people), ``senior`` or ``individual``, from the words of the job title."""
    title = job_title or ""
    if _LEAD.search(title):
        return "lead"
    if _SENIOR.search(title):
        return "senior"
    return "individual"


def _date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def person_table(people: Iterable[dict[str, Any]], completions: Iterable[tuple[int, str, dt.datetime]],
                 today: dt.date) -> pd.DataFrame:
    """``people`` and ``completions`` as ``storage.outcomes.Outcomes`` returns them; one row per person hired on or
    before ``today``. A leave date after today is a leaver-to-be: still employed (censored) today."""
    done: dict[int, list[tuple[str, dt.date]]] = {}
    for pid, code, at in completions:
        done.setdefault(pid, []).append((code, _date(at)))
    rows = []
    for p in people:
        hired = p["hire_date"]
        if hired is None or hired > today:
            continue
        left = p["leave_date"] if p["leave_date"] is not None and p["leave_date"] <= today else None
        end = left or today
        courses = done.get(p["id"], [])
        early = [code for code, at in courses if 0 <= (at - hired).days <= LEARNING_WINDOW_DAYS and at <= end]
        rows.append({
            "person": p["id"], TIME: (end - hired).days / DAYS_PER_YEAR, EVENT: int(left is not None),
            "leave_reason": (p["leave_reason"] or "unknown") if left else None,
            "learning": "yes" if early else "no",
            "courses_completed": sum(1 for _, at in courses if at <= end),
            "completed": sorted({code for code, at in courses if at <= end}),
            "role_level": role_level(p["job_title"]), "department": p["team"] or "no team",
            "hire_year": hired.year,
        })
    return pd.DataFrame(rows, columns=["person", TIME, EVENT, "leave_reason", "learning", "courses_completed",
                                       "completed", "role_level", "department", "hire_year"])


def took_course(table: pd.DataFrame, code: str) -> pd.Series:
    """``yes`` for the people who completed the course (at any time before they left), ``no`` for the rest."""
    return table["completed"].map(lambda codes: "yes" if code in codes else "no")


def csv_columns(path: Path, wanted: list[str], flags: list[str] | None = None) -> pd.DataFrame:
    """The CSV as text, after checking it has the ``wanted`` columns (named on the command line by ``flags``)."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InsightsInputError(f"There is no file {path}.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InsightsInputError(f"{path} could not be read as CSV ({type(exc).__name__}).") from None
    raw.columns = [c.strip() for c in raw.columns]
    for i, name in enumerate(wanted):
        if name not in raw.columns:
            named = f" (named by {flags[i]})" if flags else ""
            raise InsightsInputError(f"{path.name} has no column “{name}”{named}; its columns are: "
                                     + ", ".join(raw.columns) + ".")
    return raw


def csv_table(path: Path, time: str, event: str, event_value: str) -> pd.DataFrame:
    """The CSV with a numeric ``time`` column and a 0/1 ``event`` column (1 where ``event`` equals ``event_value``,
    compared as text, ignoring surrounding spaces and case)."""
    raw = csv_columns(path, [time, event], flags=["--time", "--event"])
    times = pd.to_numeric(raw[time].str.strip(), errors="coerce")
    bad = times.isna() | (times < 0)
    if bad.any():
        line = int(bad.idxmax()) + 2  # the header is line 1
        raise InsightsInputError(f"The time column “{time}” must hold numbers of zero or more; line {line} has "
                                 f"“{raw[time].iloc[line - 2]}”.")
    table = raw.drop(columns=[c for c in (TIME, EVENT) if c not in (time, event) and c in raw.columns])
    for column in table.columns:  # numbers stay numbers (a role level of 1–5, an age)
        as_number = pd.to_numeric(table[column].str.strip(), errors="coerce")
        if column not in (time, event) and as_number.notna().all() and len(table):
            table[column] = as_number
    wanted = event_value.strip().lower()
    table[EVENT] = (raw[event].str.strip().str.lower() == wanted).astype(int)
    table[TIME] = times.astype(float)
    return table
