"""Cut the small ESCO subset that Ladder carries for its demo organisation.

Reads the official ESCO v1.1.1 CSV download and writes the same layout (same columns) for ICT
occupations and a few business ones, with every skill they relate to. Run from the repo root:

    python demo/build_esco_subset.py ../shared/data/esco-v1.1.1 demo/esco

Data: ESCO, European Commission (CC BY 4.0).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# ISCO-08 unit groups: ICT service managers (133x), ICT professionals (25xx), ICT technicians (351x),
# and the business roles an ICT company employs (HR, finance, marketing, analysts, statisticians).
ISCO_PREFIXES = ("133", "25", "351", "1211", "1212", "2120", "2411", "2421", "2423", "2431", "2432", "2433")


def main(src: Path, dst: Path) -> None:
    (dst / "en").mkdir(parents=True, exist_ok=True)
    (dst / "relations").mkdir(parents=True, exist_ok=True)
    with open(src / "en" / "occupations_en.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        occ_fields = reader.fieldnames
        occupations = [r for r in reader if r["iscoGroup"].startswith(ISCO_PREFIXES)]
    occ_uris = {r["conceptUri"] for r in occupations}
    with open(src / "relations" / "occupationSkillRelations.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rel_fields = reader.fieldnames
        relations = [r for r in reader if r["occupationUri"] in occ_uris]
    skill_uris = {r["skillUri"] for r in relations}
    with open(src / "en" / "skills_en.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        skill_fields = reader.fieldnames
        skills = [r for r in reader if r["conceptUri"] in skill_uris]
    for path, fields, rows in (
        (dst / "en" / "occupations_en.csv", occ_fields, occupations),
        (dst / "en" / "skills_en.csv", skill_fields, skills),
        (dst / "relations" / "occupationSkillRelations.csv", rel_fields, relations),
    ):
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    print(f"{len(occupations)} occupations, {len(skills)} skills, {len(relations)} relations -> {dst}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
