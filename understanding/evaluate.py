"""How well Ladder understands a labelled set of messages (``python app.py nlu eval FILE``).

Each line of FILE is ``{"id", "persona", "text", "intent", "slots", "context"?}`` (see eval/README.md). Reported:

* intent accuracy: the intent Ladder acts on equals the label. A message Ladder does not act on counts as
  ``policy_question`` when it falls back to the knowledge base (that is where both go), and as wrong when it asks
  which of two intents was meant (how often the right one was among the two is reported);
* per-intent precision and recall, and the confusions, most frequent first;
* slot accuracy: of the labelled slots, the share found with the labelled value (slots are looked for as the
  labelled intent's, so an intent error does not also count as a slot error); and the share of messages whose
  intent and every slot are right.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from understanding.slots import Slots
from understanding.understand import HANDBOOK_INTENT, Understood

KNOWLEDGE = HANDBOOK_INTENT


@dataclass(frozen=True)
class Case:
    id: str
    persona: str
    text: str
    intent: str
    slots: dict[str, Any]
    context: tuple[str, ...] = ()


def read_cases(path: Path) -> list[Case]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(Case(str(row["id"]), row["persona"], row["text"], row["intent"], dict(row.get("slots") or {}),
                              tuple(row.get("context") or ())))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {n}: {exc}") from exc
    return cases


def predicted_intent(understood: Understood) -> str:
    if understood.outcome == "act":
        return understood.intent
    if understood.outcome == "fallback":
        return KNOWLEDGE
    return "clarify:" + "|".join(understood.alternatives)


def slot_matches(expected: Any, found: Any) -> bool:
    if expected is True:  # a reason: labelled as given, found when any reason text was
        return bool(found)
    if isinstance(expected, str) and isinstance(found, str):
        return expected.strip().lower() == found.strip().lower()
    return expected == found


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    outcomes: Counter = field(default_factory=Counter)
    clarified_with_right_option: int = 0
    by_intent: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # gold -> predicted counts
    confusions: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    slots_total: int = 0
    slots_correct: int = 0
    slot_counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    slot_misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    fully_right: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def slot_accuracy(self) -> float:
        return self.slots_correct / self.slots_total if self.slots_total else 0.0

    def precision_recall(self) -> list[tuple[str, int, float, float]]:
        predicted = Counter()
        for counts in self.by_intent.values():
            predicted.update(counts)
        rows = []
        for intent in sorted(set(self.by_intent) | {p for p in predicted if not p.startswith("clarify:")}):
            gold_n = sum(self.by_intent[intent].values())
            hits = self.by_intent[intent][intent]
            precision = hits / predicted[intent] if predicted[intent] else 0.0
            recall = hits / gold_n if gold_n else 0.0
            rows.append((intent, gold_n, precision, recall))
        return rows

    def as_json(self) -> dict[str, Any]:
        return {
            "utterances": self.total, "intent_accuracy": round(self.accuracy, 4), "outcomes": dict(self.outcomes),
            "clarified_with_right_option": self.clarified_with_right_option,
            "slot_accuracy": round(self.slot_accuracy, 4), "slots": self.slots_total,
            "fully_right": round(self.fully_right / self.total, 4) if self.total else 0.0,
            "per_intent": [{"intent": i, "n": n, "precision": round(p, 3), "recall": round(r, 3)} for i, n, p, r in self.precision_recall()],
            "per_slot": {name: {"n": sum(c.values()), "correct": c["correct"]} for name, c in self.slot_counts.items()},
            "confusions": [{"expected": g, "predicted": p, "n": len(ids), "ids": ids}
                           for (g, p), ids in sorted(self.confusions.items(), key=lambda kv: -len(kv[1]))],
            "slot_misses": [{"id": i, "slot": s, "expected": e, "found": f} for i, s, e, f in self.slot_misses],
        }

    def table(self) -> str:
        lines = [f"utterances        {self.total}",
                 f"intent accuracy   {self.accuracy:.3f}  ({self.correct}/{self.total})",
                 f"outcomes          act {self.outcomes['act']} · clarify {self.outcomes['clarify']} "
                 f"(right intent offered {self.clarified_with_right_option}) · knowledge fallback {self.outcomes['fallback']}",
                 f"slot accuracy     {self.slot_accuracy:.3f}  ({self.slots_correct}/{self.slots_total})",
                 f"intent and slots  {self.fully_right / self.total if self.total else 0:.3f}", "",
                 f"{'intent':<22} {'n':>4} {'precision':>9} {'recall':>7}"]
        lines += [f"{i:<22} {n:>4} {p:>9.3f} {r:>7.3f}" for i, n, p, r in self.precision_recall()]
        per_slot = ", ".join(f"{name} {c['correct']}/{sum(c.values())}" for name, c in sorted(self.slot_counts.items()))
        lines += ["", f"slots: {per_slot}", "", "confusions (expected → predicted: ids)"]
        for (gold, pred), ids in sorted(self.confusions.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"  {gold} → {pred}: {len(ids)}  {' '.join(ids[:8])}")
        if self.slot_misses:
            lines += ["", "slot misses (id slot: expected / found)"]
            lines += [f"  {i} {s}: {e!r} / {f!r}" for i, s, e, f in self.slot_misses]
        return "\n".join(lines)


def evaluate(cases: Iterable[Case], understand: Callable[[Case], Understood],
             find_slots: Callable[[Case], Slots]) -> Report:
    report = Report()
    for case in cases:
        understood = understand(case)
        predicted = predicted_intent(understood)
        report.total += 1
        report.outcomes[understood.outcome] += 1
        report.by_intent[case.intent][predicted] += 1
        right = predicted == case.intent
        if right:
            report.correct += 1
        else:
            report.confusions[(case.intent, predicted)].append(case.id)
            if understood.outcome == "clarify" and case.intent in understood.alternatives:
                report.clarified_with_right_option += 1
        slots_right = True
        if case.slots:
            found = find_slots(case).canonical()
            for name, expected in case.slots.items():
                report.slots_total += 1
                ok = slot_matches(expected, found.get(name))
                report.slots_correct += ok
                report.slot_counts[name]["correct" if ok else "wrong"] += 1
                if not ok:
                    slots_right = False
                    report.slot_misses.append((case.id, name, expected, found.get(name)))
        report.fully_right += right and slots_right
    return report
