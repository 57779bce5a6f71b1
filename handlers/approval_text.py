"""What people type about proposals and challenges, parsed in one place.

    approve 12 · reject 12 because … · override 12 with DS101 because …      a decision
    uphold 3 because … · dismiss 3 because …                                 HR resolves a challenge
    I disagree with proposal 12 because … · challenge 12                     a challenge
    why was I recommended this? · why 12 · explain proposal 12               an explanation
    my approvals · proposals about me                                        lists

Understanding (``understanding/``) decides which of these a message is; when a message has the exact command form,
these ``parse_*`` functions give the use cases its parts as typed (the change and reason included), and otherwise
the slots understanding found do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_DECISION_HEAD = r"^(?P<verb>approve|reject|decline|override)\s+(?:proposal\s+)?#?(?P<id>\d+)"
_DECISION = re.compile(
    _DECISION_HEAD + r"(?:\s+(?:with|to|->)\s+(?P<change>.+?))?"
    r"(?:\s*[,;:]?\s*(?:because|since|as|reason:?)\s+(?P<reason>.+?))?\s*[.!]*$",
    re.IGNORECASE | re.DOTALL,
)
_RESOLUTION_HEAD = r"^(?P<verb>uphold|dismiss)\s+(?:challenge\s+)?#?(?P<id>\d+)"
_RESOLUTION = re.compile(_RESOLUTION_HEAD + r"\s*[,;:]?\s*(?:because\s+)?(?P<reason>.*?)\s*[.!]*$", re.IGNORECASE | re.DOTALL)
_CHALLENGE = re.compile(
    r"^(?:i\s+(?:disagree|object)|challenge)(?:\s+(?:with|to))?(?:\s+(?:proposal|recommendation)\s*#?(?P<id>\d+)|\s+#?(?P<id2>\d+))?"
    r"(?:\s+(?:this|that|it|the recommendation))?\s*[,;:]?\s*(?:because\s+(?P<reason>.+?))?\s*[.!]*$",
    re.IGNORECASE | re.DOTALL,
)
_EXPLAIN_ID = re.compile(r"(?:proposal\s*#?|#|^(?:why|explain)\s+)(?P<id>\d+)\b", re.IGNORECASE)

Verb = Literal["approve", "reject", "override"]


@dataclass(frozen=True)
class DecisionText:
    verb: Verb
    proposal_id: int
    change: str | None
    reason: str | None


@dataclass(frozen=True)
class ResolutionText:
    outcome: Literal["upheld", "dismissed"]
    challenge_id: int
    reason: str


@dataclass(frozen=True)
class ChallengeText:
    proposal_id: int | None  # None: "I disagree" without a number (the latest proposal about them is meant)
    reason: str


def parse_decision(text: str) -> DecisionText | None:
    m = _DECISION.match(text.strip())
    if not m:
        return None
    verb = m.group("verb").lower()
    return DecisionText("reject" if verb == "decline" else verb, int(m.group("id")), m.group("change"), m.group("reason"))  # type: ignore[arg-type]


def parse_resolution(text: str) -> ResolutionText | None:
    m = _RESOLUTION.match(text.strip())
    if not m:
        return None
    return ResolutionText("upheld" if m.group("verb").lower() == "uphold" else "dismissed", int(m.group("id")), m.group("reason") or "")


def parse_challenge(text: str) -> ChallengeText | None:
    m = _CHALLENGE.match(text.strip())
    if not m:
        return None
    pid = m.group("id") or m.group("id2")
    return ChallengeText(int(pid) if pid else None, (m.group("reason") or "").strip())


def parse_explained_id(text: str) -> int | None:
    """The proposal a "why …?" question names, if it names one."""
    m = _EXPLAIN_ID.search(text)
    return int(m.group("id")) if m else None
