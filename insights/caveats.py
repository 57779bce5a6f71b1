"""The plain words every outcome answer carries: what the numbers can and cannot say."""

from __future__ import annotations

MIN_GROUP = 5  # a group smaller than this is never shown, in chat, on the command line or in JSON

ASSOCIATION = ("These figures show an association, not a cause: the people in one group may differ from the others in "
               "ways the data does not record (motivation, manager, workload).")
CENSORING = ("{censored} of {n} people are still employed, so we do not know when (or whether) they will leave; the "
             "survival curves and the Cox model count them for as long as they were seen, the raw attrition rate does "
             "not.")
SMALL = "Groups of fewer than {min} people are not shown: {groups}."
SMALL_SAMPLE = "With {events} leavers in all, the intervals are wide; a difference inside them may be chance."
ADJUSTED = "The hazard ratio is adjusted for {columns}."
NOT_ADJUSTED = "The hazard ratio is not adjusted for anything else (no tenure-at-start, role level or department column)."
PROPORTIONAL = ("The Cox model assumes the ratio of leaving rates between groups stays the same over time; it summarises "
                "the whole period in one number.")
IMMORTAL = ("People who stayed longer had more time to take the course, which by itself makes takers look more loyal; "
            "read this as a description, not as the course's effect.")


def small_groups(groups: list[str]) -> str:
    return SMALL.format(min=MIN_GROUP, groups=", ".join(groups))
