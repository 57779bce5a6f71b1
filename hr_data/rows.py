"""Reading an export line by line, and turning one line's cells into typed values — or a ``LineError``.

``read(path, mapping)`` streams: one line in memory at a time, whatever the file's size. Line numbers are the
file's own (the header is line 1; a quoted cell spanning lines counts them all), so an error report points at what
the person sees in their editor.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hr_data.mapping import LEAVE_REASONS, Mapping, MappingError




@dataclass(frozen=True)
class LineError:
    line: int
    column: str  # the export's column header ("" for the whole line)
    reason: str
    value: str = ""


class BadCell(ValueError):
    def __init__(self, field: str, reason: str, value: str = "") -> None:
        super().__init__(reason)
        self.field, self.reason, self.value = field, reason, value


Cells = dict[str, str]  # Ladder's field → the cell's text, stripped ("" for empty)


def read(path: Path, mapping: Mapping) -> Iterator[tuple[int, Cells | LineError]]:
    """(line number, the mapped cells) per data line; a line with the wrong number of cells is a LineError."""
    try:
        handle = path.open(encoding=mapping.encoding, newline="")
    except OSError as e:
        raise MappingError(f"can't read {path}: {e.strerror}") from None
    with handle:
        reader = csv.reader(handle, delimiter=mapping.delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise MappingError(f"{path.name} is empty: it has no header line") from None
        except (csv.Error, UnicodeDecodeError) as e:
            raise MappingError(f"{path.name}'s header can't be read: {e}") from None
        where = mapping.check_header(header)
        width = len(header)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as e:
                yield reader.line_num, LineError(reader.line_num, "", f"can't be read: {e}")
                continue
            if not any(c.strip() for c in cells):
                continue  # blank lines are nobody's mistake
            if len(cells) != width:
                yield reader.line_num, LineError(reader.line_num, "", f"has {len(cells)} cells, the header has {width}")
                continue
            yield reader.line_num, {f: cells[i].strip() for f, i in where.items()}


class Parser:
    """Typed values from one line's cells, as the mapping says (date formats, value maps)."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping

    def column(self, field: str) -> str:
        return self.mapping.columns.get(field, field)

    def mapped(self, cells: Cells, field: str) -> str:
        raw = cells.get(field, "")
        table = self.mapping.values.get(field)
        if table and raw:
            for key, value in table.items():
                if key.strip().lower() == raw.lower():
                    return str(value)
        return raw

    def text(self, cells: Cells, field: str, *, required: bool = False, max_len: int = 200) -> str | None:
        raw = self.mapped(cells, field)
        if not raw:
            if required:
                raise BadCell(field, "is empty")
            return None
        if len(raw) > max_len:
            raise BadCell(field, f"is longer than {max_len} characters", raw[:40])
        return raw

    def date(self, cells: Cells, field: str, *, required: bool = False) -> dt.date | None:
        raw = cells.get(field, "")
        if not raw:
            if required:
                raise BadCell(field, "is empty")
            return None
        for fmt in self.mapping.date_formats:
            try:
                return dt.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        raise BadCell(field, f"is not a date in the format {' or '.join(self.mapping.date_formats)}", raw)

    def month(self, cells: Cells, field: str) -> dt.date:
        raw = cells.get(field, "")
        if not raw:
            raise BadCell(field, "is empty")
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
        if m and 1 <= int(m.group(2)) <= 12:
            return dt.date(int(m.group(1)), int(m.group(2)), 1)
        day = self.date(cells, field)
        assert day is not None
        return day.replace(day=1)

    def number(self, cells: Cells, field: str, *, required: bool = False) -> float | None:
        raw = self.mapped(cells, field)
        if not raw:
            if required:
                raise BadCell(field, "is empty")
            return None
        try:
            value = float(raw.replace(",", "") if raw.count(",") and raw.count(".") else raw.replace(",", "."))
        except ValueError:
            raise BadCell(field, "is not a number" + (" (and not a word the mapping's values know)"
                                                      if field in self.mapping.values else ""), raw) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise BadCell(field, "is not a finite number", raw)
        return value

    def email(self, cells: Cells, field: str = "email") -> str | None:
        raw = cells.get(field, "")
        if not raw:
            return None
        if len(raw) > 320 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw):
            raise BadCell(field, "is not an email address", raw)
        return raw.lower()

    def leave_reason(self, cells: Cells) -> str | None:
        reason = self.mapped(cells, "leave_reason")
        if not reason:
            return None
        reason = reason.lower()
        if reason not in LEAVE_REASONS:
            raise BadCell("leave_reason", f"is not one of {', '.join(LEAVE_REASONS)} (map the export's words to them "
                                          "under values: leave_reason)", cells.get("leave_reason", ""))
        return reason


def period_end(period: str) -> dt.date | None:
    """The last day of a review period named the usual ways: 2025, 2025-H1/H2, 2025-Q1…Q4, 2025-03 (a month)."""
    p = period.strip().upper().replace(" ", "")
    if m := re.fullmatch(r"(?:FY)?(\d{4})", p):
        return dt.date(int(m.group(1)), 12, 31)
    if m := re.fullmatch(r"(\d{4})[-/]?H([12])", p):
        year, half = int(m.group(1)), int(m.group(2))
        return dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    if m := re.fullmatch(r"(\d{4})[-/]?Q([1-4])", p):
        year, month = int(m.group(1)), int(m.group(2)) * 3
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", p):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return dt.date(year, month, calendar.monthrange(year, month)[1])
    return None
