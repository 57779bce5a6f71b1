"""Skills read from text: by meaning on texts that never say the label, the label-only fallback, the cached label
vectors, `python app.py skills extract` (order of --each-line, empty input), and the share-a-work-artefact flow in
chat on both databases — suggestions only, accepted or declined once each, "Accept all", and the opt-out."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
from approvals_helpers import MAYA, button, click, person_id, prepare, say
from sqlalchemy import func, select

from governance.privacy.export import build_export
from handlers import skills_cli
from handlers.context import skill_extractor
from handlers.skill_extraction import artefact_kind, artefact_text
from skills_engine import proficiency
from skills_engine.extraction import LabelVectors, SkillExtractor, pieces, sentences
from skills_engine.skill_index import SkillIndex
from storage import UnitOfWork
from storage.models import EvidenceStatus, EvidenceType, SkillEvidence

# A small taxonomy of real ESCO labels (and alternative labels) for the extractor on its own.
ENTRIES = [
    (1, "SQL", "Structured Query Language"),
    (2, "Python (computer programming)", "Python"),
    (3, "manage budgets", "budget management\ncontrol budgets"),
    (4, "negotiate with suppliers", "supplier negotiation\nbargain with suppliers"),
    (5, "coach employees", "mentor employees\ncoaching of staff"),
    (6, "bake confections", "bake pastries"),
    (7, "operate forklift", "drive forklift"),
    (8, "present reports", "deliver presentations of reports"),
    (9, "machine learning", "ML"),
    (10, "animal nutrition", "feed animals"),
]


@pytest.fixture(scope="module")
def small(embedder, tmp_path_factory):
    index = SkillIndex(ENTRIES)
    cache = tmp_path_factory.mktemp("vectors")
    return SkillExtractor(index, lambda sid: f"esco:{sid}", embed=embedder, entries=ENTRIES, vectors_dir=cache)


def labels(found) -> list[str]:
    return [s.label for s in found]


def test_a_text_that_never_says_the_label_finds_the_skill_by_meaning(small):
    # Ranked without the suggestion threshold: a meaning-only match scores low (see EMBED_MIN_SCORE) but ranks first.
    found = small.extract("Sat down with our vendors every quarter and got the price per unit down by 8%.", min_score=0.0)
    assert labels(found)[:1] == ["negotiate with suppliers"]
    assert found[0].sentence.startswith("Sat down with our vendors")
    found = small.extract("I kept the team's yearly spending within what finance allowed and reported overruns early.",
                          min_score=0.0)
    assert "manage budgets" in labels(found)[:2]
    found = small.extract("Every week I coached the two new hires on the team until they could work alone.", min_score=0.0)
    assert labels(found)[:1] == ["coach employees"]


def test_dashboards_in_sql_is_the_sql_skill_with_its_sentence(small):
    found = small.extract("Joined in March. Built dashboards in SQL for the churn project.\nAlso baked for the office party.")
    assert labels(found)[0] == "SQL" and found[0].sentence == "Built dashboards in SQL for the churn project."
    assert found[0].uri == "esco:1" and 0 < found[0].score <= 1


def test_unrelated_text_suggests_nothing_strong(small):
    assert small.extract("The weather was lovely on Tuesday.") == []


def test_without_a_model_it_falls_back_to_label_matching():
    plain = SkillExtractor(SkillIndex(ENTRIES), lambda sid: f"esco:{sid}")
    assert not plain.uses_embeddings
    assert labels(plain.extract("Wrote SQL queries and some Python.")) == ["Python (computer programming)", "SQL"] or \
        set(labels(plain.extract("Wrote SQL queries and some Python."))) == {"SQL", "Python (computer programming)"}
    assert plain.extract("Sat down with our vendors and got the price down.") == []


def test_label_vectors_are_embedded_once_and_then_read_from_the_cache(embedder, tmp_path):
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return embedder(texts)

    first = LabelVectors.build(ENTRIES, counting, cache_dir=tmp_path, model_name="m")
    again = LabelVectors.build(ENTRIES, counting, cache_dir=tmp_path, model_name="m")
    assert calls == [sum(1 + len(alts.split("\n")) for _i, _l, alts in ENTRIES)]
    assert np.allclose(first.matrix, again.matrix) and len(list(tmp_path.glob("*.npy"))) == 1
    LabelVectors.build(ENTRIES[:-1], counting, cache_dir=tmp_path, model_name="m")  # another taxonomy: embedded anew
    assert len(calls) == 2 and len(list(tmp_path.glob("*.npy"))) == 2


def test_sentences_and_pieces():
    assert sentences("One. Two!\n- three\n\n") == ["One.", "Two!", "three"]
    assert pieces("django postgresql redis")[:2] == ["django postgresql redis", "django postgresql"]


def test_the_lead_in_says_what_the_text_is():
    assert artefact_kind("extract skills from my CV: nurse") == "CV"
    assert artefact_kind("an excerpt from my performance review: led things") == "performance review"
    assert artefact_kind("here is my project summary: x") == "project summary"
    assert artefact_text("here is my project summary: I built dashboards in SQL") == "I built dashboards in SQL"
    assert artefact_text("extract skills") == ""


# --------------------------------------------------------------------------- python app.py skills extract


def _args(**kw) -> argparse.Namespace:
    return argparse.Namespace(**{"action": "extract", "json": False, "top": 5, "each_line": False, **kw})


def test_cli_each_line_prints_one_json_document_per_line_in_order(reader, capsys):
    text = "Built dashboards in SQL for the churn project.\n\nWrote and maintained MySQL databases for the shop.\n"
    assert skills_cli.extract(reader, _args(each_line=True), text) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["line"] for d in out] == [1, 2, 3] and out[1]["skills"] == []
    assert out[0]["skills"][0]["label"] == "SQL"
    assert "MySQL" in [s["label"] for s in out[2]["skills"]]
    assert all({"uri", "label", "score", "sentence"} <= set(s) for d in out for s in d["skills"])


def test_cli_json_and_empty_input(reader, capsys):
    assert skills_cli.extract(reader, _args(json=True, top=3), "Built dashboards in SQL for the churn project.") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "meaning+labels" and 1 <= len(data["skills"]) <= 3
    assert data["skills"][0]["uri"].startswith("http://data.europa.eu/esco/skill/")
    assert skills_cli.extract(reader, _args(), "  \n ") == 2
    assert "No text to read" in capsys.readouterr().err


# --------------------------------------------------------------------------- sharing a work artefact in chat

SUMMARY = ("here is my project summary: Built dashboards in SQL for the churn project. "
           "I also set up the MySQL database for the reporting tool and wrote the queries behind it.")


def _evidence(ladder, pid: int) -> list[SkillEvidence]:
    with ladder.db.session() as s:
        return list(s.scalars(select(SkillEvidence).where(SkillEvidence.person_id == pid,
                                                          SkillEvidence.evidence_type == EvidenceType.inferred,
                                                          SkillEvidence.source.like("your project summary%"))))


def test_shared_text_becomes_suggestions_decided_once_each_and_accept_all(ladder):
    prepare(ladder)
    pid = person_id(ladder, MAYA)
    reply = say(ladder, MAYA, SUMMARY)
    assert reply.data["intent"] == "extract_skills", reply.text
    suggested = reply.data["suggested"]
    assert len(suggested) >= 2 and "SQL" in [s["label"] for s in suggested]
    rows = _evidence(ladder, pid)
    assert {r.status for r in rows} == {EvidenceStatus.pending}  # suggestions, never silent evidence
    assert all(r.source.startswith("your project summary: “") for r in rows)
    with ladder.db.unit_of_work() as uow:  # the person's export shows the suggestions and where they came from
        exported = build_export(uow, pid, ladder.now())["skill_evidence"]
    assert {r.source for r in rows} <= {e["source"] for e in exported if e["status"] == "pending"}

    first = button(reply, "accept_skill")
    assert "now on your profile as inferred evidence" in click(ladder, MAYA, first).text
    assert "already accepted" in click(ladder, MAYA, first).text  # the second click changes nothing
    decline = [b.ref for b in reply.actions() if b.ref.startswith("decline_skill:")][1]
    assert "won't credit" in click(ladder, MAYA, decline).text

    every = click(ladder, MAYA, button(reply, "accept_extracted_skills"))
    assert every.data["changed"] and every.data["already_decided"] == 2
    assert len(every.data["accepted"]) == len(suggested) - 2
    again = click(ladder, MAYA, button(reply, "accept_extracted_skills"))
    assert not again.data["changed"] and "already decided" in again.text

    statuses = sorted(r.status.value for r in _evidence(ladder, pid))
    assert statuses.count("rejected") == 1 and statuses.count("active") == len(suggested) - 1
    # Inferred evidence alone never verifies a skill (Maya had no SQL evidence before: the demo gives her none).
    accepted_ids = {r.skill_id for r in _evidence(ladder, pid) if r.status == EvidenceStatus.active}
    with ladder.db.read_only() as uow:
        items = [i for i in proficiency.evidence_items(uow.skills.evidence_for(pid)) if i.skill_id in accepted_ids]
    only_inferred = {sid for sid in accepted_ids if all(i.evidence_type == EvidenceType.inferred
                                                        for i in items if i.skill_id == sid)}
    assert only_inferred
    assert not any(p.verified for sid, p in proficiency.profile(items, ladder.now()).items() if sid in only_inferred)
    # Sharing the same text again suggests nothing new: decided skills are not asked again.
    assert say(ladder, MAYA, SUMMARY).data["suggested"] == []


def test_someone_else_cannot_accept_and_an_opted_out_person_gets_nothing_stored(ladder):
    prepare(ladder)
    reply = say(ladder, MAYA, SUMMARY)
    other = "priya.raman@kestrel.example"
    denied = click(ladder, other, button(reply, "accept_extracted_skills"))
    assert denied.data.get("denied") and not denied.data["changed"]

    pid = person_id(ladder, other)
    with ladder.db.unit_of_work() as uow:
        uow.preferences.set(pid, inference=True)
    before = _count(ladder, pid)
    opted = say(ladder, other, "extract skills from my CV: ten years of SQL reporting and MySQL administration")
    assert opted.data["intent"] == "extract_skills" and opted.data["opted_out"] and "opted out" in opted.text
    assert _count(ladder, pid) == before


def test_asking_without_a_text_says_how(ladder):
    prepare(ladder)
    reply = say(ladder, MAYA, "extract skills from my CV")
    assert reply.data["intent"] == "extract_skills" and reply.data["missing_text"] and "after a colon" in reply.text


def _count(ladder, pid: int) -> int:
    with ladder.db.session() as s:
        return s.scalar(select(func.count()).select_from(SkillEvidence).where(SkillEvidence.person_id == pid))


def test_the_process_extractor_uses_the_model_and_the_taxonomy(reader):
    extractor = skill_extractor(reader)
    assert extractor.uses_embeddings and skill_extractor(reader) is extractor
    with reader.db.read_only() as uow:
        assert isinstance(uow, UnitOfWork)
