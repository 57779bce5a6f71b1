"""Rule-based intent recognition: what does this message ask for, and about which role?

Channel-neutral and LLM-free. The patterns cover the many ways people ask the same thing; the role
phrase they capture is resolved against the taxonomy elsewhere.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from handlers import approval_text


class IntentKind(str, enum.Enum):
    career_path = "career_path"
    follow_up_role = "follow_up_role"  # "and for cloud engineer?" after a path answer
    admin_command = "admin_command"  # "/ladder status"
    help = "help"
    greeting = "greeting"
    whoami = "whoami"
    # approvals and the agent (issue 5)
    decide_proposal = "decide_proposal"  # "approve 12", "reject 12 because …", "override 12 with DS101 because …"
    my_approvals = "my_approvals"  # "my approvals", "pending approvals"
    proposals_about_me = "proposals_about_me"  # "proposals about me"
    explain_proposal = "explain_proposal"  # "why was I recommended this?", "why proposal 12?"
    challenge_proposal = "challenge_proposal"  # "I disagree with proposal 12 because …"
    resolve_challenge = "resolve_challenge"  # HR: "uphold 3 because …", "dismiss 3 because …"
    # skills intelligence (issue 4)
    claim_skill = "claim_skill"  # "I know SQL", "I have Python at level 3"
    explain_skill = "explain_skill"  # "why do you think I know SQL?"
    my_skills = "my_skills"  # "what skills do I have?"
    suggested_skills = "suggested_skills"  # "which skills did you infer?"
    request_validation = "request_validation"  # "ask my manager to validate SQL"
    pending_validations = "pending_validations"  # manager: "pending validations"
    validate_for = "validate_for"  # manager: "validate SQL for maya.patel@kestrel.example"
    closest_roles = "closest_roles"  # "what roles am I closest to?"
    team_ready = "team_ready"  # manager: "who on my team is ready for data scientist?"
    team_gaps = "team_gaps"  # manager: "team gaps for data scientist"
    unknown = "unknown"


@dataclass(frozen=True, slots=True)
class Intent:
    kind: IntentKind
    role_text: str = ""
    argument: str = ""
    skill_text: str = ""
    level: int | None = None
    person_text: str = ""


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


_SKILL = r"(?P<skill>[a-z0-9+#.][a-z0-9 +#./&'()-]*?)"
_LEVEL = r"(?:\s+(?:at|to|on)\s+(?:a\s+)?level\s+(?P<level>[1-4]))?"
_SKILL_END = r"\s*[?.!]*\s*$"
_SKILL_PATTERNS: list[tuple[IntentKind, re.Pattern[str]]] = [(kind, re.compile(p, re.IGNORECASE)) for kind, p in [
    (IntentKind.closest_roles, r"^(?:what|which)\s+(?:roles?|jobs?|positions?)\s+(?:am\s+i|i'?m|are\s+(?:the\s+)?)\s*(?:closest|nearest|close|near|best suited)\b.*$"),
    (IntentKind.closest_roles, r"^(?:(?:show|list)\s+(?:me\s+)?)?(?:my\s+)?(?:closest|nearest)\s+roles?\b.*$"),
    (IntentKind.team_ready, rf"^who\s+(?:on|in|from)\s+my\s+team\s+(?:is|are|would be|could be)\s+(?:ready|closest|best placed)\s+(?:for|to become|to be|to move into)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}"),
    (IntentKind.team_ready, rf"^(?:my\s+)?team\s+readiness\s+(?:for|to)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}"),
    (IntentKind.team_gaps, rf"^(?:show\s+(?:me\s+)?)?(?:my\s+)?team(?:'s)?\s+(?:skills?\s+)?gaps?\s+(?:for|to|towards)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}"),
    (IntentKind.team_gaps, rf"^(?:what|which)\s+skills\s+(?:does|do)\s+my\s+team\s+(?:lack|miss|need)\s+(?:for|to become|to be)\s+(?:an?\s+|the\s+)?{_ROLE}{_END}"),
    (IntentKind.pending_validations, r"^(?:show\s+(?:me\s+)?|list\s+|any\s+|what\s+are\s+(?:my\s+)?)?(?:my\s+)?(?:pending|open|waiting)\s+(?:skill\s+)?validations?(?:\s+requests?)?\s*[?.!]*$"),
    (IntentKind.pending_validations, r"^(?:which|what)\s+(?:skills?\s+)?validations?\s+(?:are\s+)?(?:waiting|pending)(?:\s+for\s+me)?\s*[?.!]*$"),
    (IntentKind.request_validation, rf"^(?:please\s+)?(?:ask|get)\s+my\s+(?:manager|boss|lead)\s+to\s+(?:validate|confirm|verify|endorse)\s+(?:my\s+)?{_SKILL}(?:\s+skills?)?{_LEVEL}{_SKILL_END}"),
    (IntentKind.request_validation, rf"^(?:request|ask for)\s+(?:a\s+)?(?:manager\s+)?validation\s+(?:of|for)\s+(?:my\s+)?{_SKILL}{_LEVEL}{_SKILL_END}"),
    (IntentKind.validate_for, rf"^(?:validate|confirm|verify|endorse)\s+{_SKILL}\s+(?:for|of)\s+(?P<who>[a-z0-9._%+'-]+@[a-z0-9.-]+|[a-z][a-z' -]+?){_LEVEL}{_SKILL_END}"),
    (IntentKind.explain_skill, rf"^(?:why|how)\s+do\s+you\s+(?:think|know|say|believe)\s+(?:that\s+)?i\s+(?:know|have|can do|can use|am good at)\s+{_SKILL}{_SKILL_END}"),
    (IntentKind.explain_skill, rf"^explain\s+(?:my\s+)?{_SKILL}(?:\s+skills?|\s+level)?{_SKILL_END}"),
    (IntentKind.explain_skill, rf"^(?:what|which)\s+evidence\s+(?:do\s+you\s+have|is\s+there)\s+(?:for|of|about)\s+(?:my\s+)?{_SKILL}{_SKILL_END}"),
    (IntentKind.my_skills, r"^(?:(?:show|list)\s+(?:me\s+)?)?(?:what\s+(?:are\s+)?)?my\s+(?:verified\s+)?skills?(?:\s+profile)?\s*[?.!]*$"),
    (IntentKind.my_skills, r"^(?:what|which)\s+skills\s+do\s+(?:i|you think i)\s+have\s*[?.!]*$"),
    (IntentKind.suggested_skills, r"^(?:(?:show|list)\s+(?:me\s+)?)?(?:the\s+)?(?:suggested|inferred)\s+skills\s*[?.!]*$"),
    (IntentKind.suggested_skills, r"^(?:what|which)\s+skills\s+(?:did\s+you\s+infer|might\s+i\s+have|do\s+you\s+suggest)\b.*$"),
    (IntentKind.claim_skill, rf"^i\s+(?:know|have\s+experience\s+(?:in|with)|am\s+(?:good|skilled|proficient|experienced)\s+(?:at|in|with)|can\s+(?:do|use|write))\s+{_SKILL}{_LEVEL}{_SKILL_END}"),
    (IntentKind.claim_skill, rf"^i'?m\s+(?:good|skilled|proficient|experienced)\s+(?:at|in|with)\s+{_SKILL}{_LEVEL}{_SKILL_END}"),
    (IntentKind.claim_skill, rf"^i\s+have\s+{_SKILL}(?:\s+(?:at|to|on)\s+(?:a\s+)?level\s+(?P<level>[1-4])){_SKILL_END}"),
    (IntentKind.claim_skill, rf"^(?:add|claim)\s+{_SKILL}(?:\s+to\s+my\s+skills|\s+as\s+(?:a|my)\s+skill)?{_LEVEL}{_SKILL_END}"),
    (IntentKind.claim_skill, rf"^my\s+{_SKILL}\s+(?:skills?\s+)?(?:is|are)\s+(?:at\s+)?level\s+(?P<level>[1-4]){_SKILL_END}"),
]]


def _skill_intent(text: str) -> Intent | None:
    for kind, pattern in _SKILL_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        groups = m.groupdict()
        if len((groups.get("skill") or "").split()) > 6:
            return None  # "I know I should ask, but how much leave…" is a question, not a skill claim
        level = int(groups["level"]) if groups.get("level") else None
        return Intent(kind, role_text=_tidy(groups.get("role") or ""), skill_text=(groups.get("skill") or "").strip(" .?!'\""),
                      level=level, person_text=(groups.get("who") or "").strip())
    return None


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
    approval_intent = _approval_intent(text)
    if approval_intent is not None:
        return approval_intent
    skill_intent = _skill_intent(text)
    if skill_intent is not None:
        return skill_intent
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


# --------------------------------------------------------------------------- approvals (issue 5)

def _approval_intent(text: str) -> Intent | None:
    """Decisions, challenges and explanations: ``approval_text`` recognises them with the patterns it parses with."""
    kind = approval_text.recognise(text)
    return Intent(IntentKind(kind), argument=text) if kind else None
