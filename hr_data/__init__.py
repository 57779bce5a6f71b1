"""HR, performance and KPI data in: HRIS exports as CSV with a column-mapping file, and the role changes they bring.

``run_import(db, path, mapping, …)`` imports one file (people, roles, ratings or kpis; ``load_mapping`` reads the
mapping file); ``apply_due(db, …)`` applies the role changes and leave dates whose day has come. SCIM (bot/web/scim.py)
writes single people through ``hr_data.scim``.
"""

from hr_data.imports import ImportReport, run_import
from hr_data.mapping import FIELDS, Mapping, MappingError, load_mapping, parse_mapping
from hr_data.role_changes import Applied, apply_due
from hr_data.rows import LineError

__all__ = ["FIELDS", "Applied", "ImportReport", "LineError", "Mapping", "MappingError", "apply_due", "load_mapping",
           "parse_mapping", "run_import"]
