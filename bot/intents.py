"""Rule-based intent recognition: what does this message ask for, and about which role?

Channel-neutral and LLM-free. The patterns cover the many ways people ask the same thing; the role
phrase they capture is resolved against the taxonomy elsewhere.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class IntentKind(str, enum.Enum):
    career_path = "career_path"
    follow_up_role = "follow_up_role"  # "and for cloud engineer?" after a path answer
    admin_command = "admin_command"  # "/ladder status"
    help = "help"
    greeting = "greeting"
    whoami = "whoami"
    unknown = "unknown"


@dataclass(frozen=True, slots=True)
class Intent:
    kind: IntentKind
    role_text: str = ""
    argument: str = ""


_ROLE = r"(?P<role>[a-z0-9][a-z0-9 &+#/.'’-]*?)"
_END = r"\s*(?:role|position|job)?\s*[?.!]*\s*$"

# Ordered: the first match wins. Each pattern captures the role phrase.
_PATH_PATTERNS = [
    rf"(?:what(?:'s|’s| is)|show(?: me)?|give me|tell me)\s+(?:my|the|a)?\s*(?:career\s+)?(?:path|route|roadmap|way|plan)\s+(?:to|towards|into|for)\s+(?:becoming\s+|being\s+)?(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:career\s+)?(?:path|route|roadmap)\s+(?:to|towards|into|for)\s+(?:becoming\s+)?(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"how\s+(?:do|can|could|would|should|might)\s+(?:i|one)\s+(?:become|get to be|turn into|grow into|train as|qualify as)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"how\s+(?:do|can|could|would|should)\s+(?:i|one)\s+(?:get|move|switch|transition|pivot|go|step|change|make the (?:jump|move|switch))\s+(?:in)?to\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"what\s+(?:would|will|does|did)\s+it\s+take\s+(?:for me\s+)?to\s+(?:become|be|move into|get into|switch to|transition to|go into|land)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:which|what)\s+skills?\s+(?:do\s+)?(?:i|would i|will i|does one)?\s*(?:need|am i missing|i'm missing|i am missing|are missing|are needed|are required|do i lack|should i learn|must i learn)\s+(?:for|to become|to be|to move into|to get into)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"skills?\s+(?:i\s+)?(?:need|needed|required|missing|necessary|gap|gaps)\s+(?:for|to become|to be|to move into)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:my\s+)?(?:skills?\s+)?gaps?\s+(?:for|to|towards)\s+(?:becoming\s+)?(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:i\s+)?(?:want|would like|'d like|hope|plan|aim|wish)\s+to\s+(?:become|be|move into|switch to|transition to|go into|get into|grow into)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:am i|how)\s+(?:ready|close|far)\s+(?:am i\s+)?(?:for|to|from)\s+(?:becoming\s+|being\s+)?(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:what do i need to|what should i do to|what must i do to|help me)\s+(?:become|be|move into|get into|switch to|transition to)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:could|can)\s+i\s+(?:become|be|move into|switch to)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:become|becoming)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
    rf"(?:move|moving|switch|switching|transition|transitioning|pivot|pivoting)\s+(?:in)?to\s+(?:an?\s+|the\s+)?{_ROLE}{_END}",
]
_PATH_RES = [re.compile(p, re.IGNORECASE) for p in _PATH_PATTERNS]

_FOLLOW_UP = re.compile(
    rf"^(?:and|what about|how about|and what about|same for|ok(?:ay)?,? and|now)\s+(?:for\s+|to\s+)?(?:an?\s+|the\s+)?{_ROLE}{_END}",
    re.IGNORECASE,
)
_HELP = re.compile(r"^\s*(?:help|\?|what can you do\??|how does this work\??|commands|menu)\s*[?.!]*\s*$", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|yo)\b[\s!.,a-z]*$", re.IGNORECASE)
_WHOAMI = re.compile(r"^\s*(?:who am i|whoami|what(?:'s| is) my (?:role|profile))\s*[?.!]*\s*$", re.IGNORECASE)
_ADMIN = re.compile(r"^\s*/?ladder(?:\s+(?P<arg>.*))?$", re.IGNORECASE | re.DOTALL)
_POLITE = re.compile(r"^(?:please|pls|hey|hi|ok|okay|so|um|hmm|ladder)[,:!]?\s+|[,\s]+(?:please|pls|thanks|thank you)\s*[?.!]*$", re.IGNORECASE)


def clean(text: str) -> str:
    text = re.sub(r"<@[A-Z0-9]+>|<at>[^<]*</at>", " ", text)  # Slack / Teams mentions
    text = text.replace("’", "'").replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text).strip()
    for _ in range(2):
        text = _POLITE.sub("", text).strip()
    return text


def recognise(text: str) -> Intent:
    if _GREETING.match(text or "") and len(text.split()) <= 4:
        return Intent(IntentKind.greeting)
    text = clean(text)
    if not text:
        return Intent(IntentKind.help)
    admin = _ADMIN.match(text)
    if admin and text.lower().lstrip("/").startswith("ladder"):
        return Intent(IntentKind.admin_command, argument=(admin.group("arg") or "").strip())
    if _HELP.match(text):
        return Intent(IntentKind.help)
    if _WHOAMI.match(text):
        return Intent(IntentKind.whoami)
    follow = _FOLLOW_UP.match(text)
    if follow:
        return Intent(IntentKind.follow_up_role, role_text=_tidy(follow.group("role")))
    for pattern in _PATH_RES:
        m = pattern.search(text)
        if m:
            return Intent(IntentKind.career_path, role_text=_tidy(m.group("role")))
    if _GREETING.match(text):
        return Intent(IntentKind.greeting)
    return Intent(IntentKind.unknown, argument=text)


def _tidy(role: str) -> str:
    role = re.sub(r"\s+(?:please|pls|thanks|then|now|eventually|someday|one day|next year|in future)$", "", role.strip(), flags=re.IGNORECASE)
    return role.strip(" .?!'\"")
