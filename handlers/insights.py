"""Use case: outcome analytics for HR and leaders — does learning relate to retention (and performance)?

``database_table`` is the one-row-per-person table both the command line and chat analyse.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from insights.table import person_table
from storage import UnitOfWork


def database_table(uow: UnitOfWork, today: dt.date) -> pd.DataFrame:
    return person_table(uow.outcomes.people(), uow.outcomes.completions(), today)
