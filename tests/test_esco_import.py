"""ESCO import: counts, idempotence, and malformed files named by file and line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skills_engine.esco import EscoFormatError
from storage.models import Occupation, RoleSkill, Skill
from skills_engine.esco_import import import_esco
from tests.conftest import ESCO_FULL, ROOT

SUBSET = ROOT / "demo" / "esco"


def _csv_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


def _counts(db) -> tuple[int, int, int]:
    with db.session() as s, s.begin():
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Occupation, Skill, RoleSkill))


def test_subset_import_counts_match_the_files_and_second_run_changes_nothing(database):
    first = import_esco(database, SUBSET)
    assert first.occupations.inserted == _csv_rows(SUBSET / "en" / "occupations_en.csv")
    assert first.skills.inserted == _csv_rows(SUBSET / "en" / "skills_en.csv")
    assert first.relations.inserted == _csv_rows(SUBSET / "relations" / "occupationSkillRelations.csv")
    before = _counts(database)
    second = import_esco(database, SUBSET)
    assert not second.changed
    assert second.occupations.unchanged == first.occupations.inserted
    assert _counts(database) == before


def test_alternative_labels_are_kept(database):
    import_esco(database, SUBSET)
    with database.session() as s, s.begin():
        dba = s.scalar(select(Occupation).where(Occupation.label == "database administrator"))
        assert "\n" in dba.alt_labels and "DBA" in dba.alt_labels.split("\n")


def test_a_changed_label_is_updated_not_duplicated(database, tmp_path):
    import_esco(database, SUBSET)
    copy = tmp_path / "esco"
    shutil.copytree(SUBSET, copy)
    path = copy / "en" / "occupations_en.csv"
    text = path.read_text(encoding="utf-8").replace(",data scientist,", ",data scientist (renamed),", 1)
    path.write_text(text, encoding="utf-8")
    summary = import_esco(database, copy)
    assert summary.occupations.updated == 1 and summary.occupations.inserted == 0
    with database.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(Occupation).where(Occupation.label == "data scientist (renamed)")) == 1


def _broken_copy(tmp_path: Path, relative: str, mutate) -> Path:
    copy = tmp_path / "esco"
    shutil.copytree(SUBSET, copy)
    path = copy / relative
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(mutate(lines)), encoding="utf-8")
    return copy


def test_missing_column_names_file_and_line_and_changes_nothing(database, tmp_path):
    copy = _broken_copy(tmp_path, "en/skills_en.csv", lambda lines: [lines[0].replace("preferredLabel", "label")] + lines[1:])
    with pytest.raises(EscoFormatError) as err:
        import_esco(database, copy)
    assert err.value.path.name == "skills_en.csv" and err.value.line == 1
    assert "preferredLabel" in str(err.value)
    assert _counts(database) == (0, 0, 0)


def test_bad_relation_type_names_the_line(database, tmp_path):
    def mutate(lines):
        lines[5] = lines[5].replace(",essential,", ",mandatory,").replace(",optional,", ",mandatory,")
        return lines

    copy = _broken_copy(tmp_path, "relations/occupationSkillRelations.csv", mutate)
    with pytest.raises(EscoFormatError) as err:
        import_esco(database, copy)
    assert err.value.path.name == "occupationSkillRelations.csv"
    assert err.value.line == 6
    assert "mandatory" in str(err.value)
    assert _counts(database) == (0, 0, 0)


def test_wrong_field_count_names_the_line(database, tmp_path):
    def mutate(lines):
        lines[3] = "http://data.europa.eu/esco/occupation/x,essential\n"
        return lines

    copy = _broken_copy(tmp_path, "relations/occupationSkillRelations.csv", mutate)
    with pytest.raises(EscoFormatError, match=r"occupationSkillRelations.csv: line 4: expected 4 fields"):
        import_esco(database, copy)


def test_missing_file_is_named(database, tmp_path):
    copy = tmp_path / "esco"
    shutil.copytree(SUBSET, copy)
    (copy / "en" / "skills_en.csv").unlink()
    with pytest.raises(EscoFormatError, match="skills_en.csv"):
        import_esco(database, copy)


def test_cli_reports_a_malformed_file_in_plain_words(tmp_path):
    import subprocess
    import sys

    copy = _broken_copy(tmp_path, "en/occupations_en.csv", lambda lines: lines[:1] + ["not,a,valid,row\n"] + lines[1:])
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "taxonomy", "import-esco", str(copy)],
        capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 2
    assert "occupations_en.csv: line 2" in result.stderr and "nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr


def _env(tmp_path: Path) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SLACK_", "MICROSOFT_", "OPENAI_"))}
    env["DATA_DIR"] = str(tmp_path / "var")
    return env


@pytest.mark.slow
def test_full_esco_import(database):
    """The whole official download: 3,007 occupations, 13,896 skills, 123,855 relations (67 of which
    name occupations missing from the occupations file and are skipped, as the summary says)."""
    summary = import_esco(database, ESCO_FULL)
    assert summary.occupations.inserted == 3007
    assert summary.skills.inserted == 13896
    assert summary.relations.inserted + summary.relations.skipped == 123855
    assert summary.relations.skipped == 67
    assert _counts(database) == (3007, 13896, 123788)
    assert not import_esco(database, ESCO_FULL).changed
