"""`python app.py nlu eval FILE` — how well Ladder understands a labelled set of messages.

Runs against the configured database (the demo company: `python app.py seed demo` first), so that roles, skills,
people and courses resolve as they would in chat. Each persona of the file is a person of that database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from handlers.context import Ladder, build_understander
from handlers.intents import vocabularies
from understanding.evaluate import Case, evaluate, read_cases

PERSONAS = {"employee": "maya.patel@kestrel.example", "manager": "daniel.okafor@kestrel.example",
            "hr_admin": "priya.raman@kestrel.example"}


def add_parser(sub) -> None:
    nlu = sub.add_parser("nlu", help="intent understanding: evaluate on a labelled set")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    ev = nlu_sub.add_parser("eval", help="intent accuracy, per-intent precision/recall, confusions, slot accuracy")
    ev.add_argument("file", help="JSONL, one labelled message a line (see eval/README.md)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--lexical-only", action="store_true", help="without the embedding model (its fallback mode)")
    add_sweep(nlu_sub)
    for persona, email in PERSONAS.items():
        ev.add_argument(f"--{persona.replace('_', '-')}", dest=persona, default=email, metavar="EMAIL",
                        help=f"who the {persona} persona is (default {email})")


def add_sweep(nlu_sub) -> None:
    sweep = nlu_sub.add_parser("sweep", help="intent outcomes on a development set for a grid of thresholds")
    sweep.add_argument("file", help="JSONL, labelled like the eval file (a development set, never the held-out one)")


def sweep(args, ladder: Ladder) -> int:
    """Right / wrong / asked / fallen back for each (act, margin, clarify): how Thresholds were chosen."""
    from understanding.understand import Thresholds, Understander

    cases = read_cases(Path(args.file))
    understanding = build_understander(ladder.settings)
    rankings = [(understanding.classifier.rank(case.text), case.intent) for case in cases]
    print(f"{'act':>5} {'margin':>6} {'clarify':>7} {'right':>5} {'wrong':>5} {'asked':>5} {'fell back':>9}")
    for act in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        for margin in (0.05, 0.1, 0.15):
            for clarify in (0.15, 0.2):
                decider = Understander(understanding.catalogue, understanding.classifier, thresholds=Thresholds(act, margin, clarify))
                counts = {"right": 0, "wrong": 0, "clarify": 0, "fallback": 0}
                for ranking, gold in rankings:
                    outcome = decider.outcome(ranking)
                    predicted = ranking.best if outcome == "act" else "policy_question" if outcome == "fallback" else None
                    key = "clarify" if predicted is None else "right" if predicted == gold else "wrong"
                    counts[key] += 1
                    if outcome == "fallback":
                        counts["fallback"] += 1
                print(f"{act:>5} {margin:>6} {clarify:>7} {counts['right']:>5} {counts['wrong']:>5} {counts['clarify']:>5} {counts['fallback']:>9}")
    return 0


def run(args, ladder: Ladder) -> int:
    if args.nlu_command == "sweep":
        return sweep(args, ladder)
    try:
        cases = read_cases(Path(args.file))
    except (OSError, ValueError) as exc:
        print(f"Can't read {args.file}: {exc}", file=sys.stderr)
        return 2
    settings = ladder.settings.model_copy(update={"embedding_model_dir": Path("/nonexistent")}) if args.lexical_only else ladder.settings
    understanding = build_understander(settings)
    with ladder.db.read_only() as uow:
        people = {persona: uow.people.by_email(getattr(args, persona)) for persona in PERSONAS}
        missing = [PERSONAS[p] for p, person in people.items() if person is None]
        if missing:
            print(f"{', '.join(missing)} not in the directory: run `python app.py seed demo` first (or name the personas).",
                  file=sys.stderr)
            return 2
        vocab = {persona: vocabularies(ladder.indexes, uow, person) for persona, person in people.items()}

        def understand(case: Case):
            return understanding.understand(case.text, vocab.get(case.persona, vocab["employee"]))

        def find_slots(case: Case):
            return understanding.find_slots(case.intent, case.text, vocab.get(case.persona, vocab["employee"]))

        report = evaluate(cases, understand, find_slots)
    mode = "lexical only" if not understanding.classifier.uses_embeddings else "embeddings + lexical"
    if args.json:
        print(json.dumps({"mode": mode, **report.as_json()}, indent=2))
    else:
        print(f"{Path(args.file).name} — local classifier, {mode}")
        print(report.table())
    return 0
