"""Slots found anywhere in the sentence: roles, skills, people, courses, numbers and choices.

Roles and skills are looked up by every ESCO label and alternative label (and the vocabularies' own
abbreviations and plurals) over every run of up to six words; the longest match that is not just the words
the intent is asked with wins. When nothing matches exactly, what is left once those words are taken away is
matched fuzzily, so a typo still finds its role. Several close candidates come back as candidates, never as
a silent guess: the use case then offers them as buttons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz, process

from skills_engine.labels import Candidate, LabelIndex, LabelMatch

MAX_WORDS = 6
MAX_FUZZY_LOOKUPS = 2  # per slot and message: each one compares the phrase with every label of the vocabulary
MAX_TEXT = 1000  # characters of a message searched for slots (a pasted document is not a request)

STOPWORDS = frozenset("""
a an the i i'm im me my mine myself you your we our us it its is are am was were be been being do does did doing to
of in on at for with from by about into onto as and or but so if then than that this these those what what's whats
which who whom whose how why when where can could would should will shall may might must need needs let please pls
plz hi hey hello ok okay yes no not just really actually also still any some there here up out now get got go going
gonna wanna want like i'd i'll i've i'm tell show give list see know think say one ones thing things kind sort bit
""".split())

# A span never starts or ends with these: "my SQL skill" is about "SQL".
_EDGES = STOPWORDS | {"skill", "skills", "role", "roles", "job", "jobs", "position", "level"}

Status = Literal["found", "ambiguous", "unknown"]


@dataclass(frozen=True)
class SlotValue:
    name: str
    text: str  # as typed
    value: Any = None  # canonical: a preferred label, an email, a course code, an int, a keyword
    status: Status = "found"
    candidates: tuple[str, ...] = ()
    ref: int | None = None  # the database id behind a role, skill, person or course


@dataclass(frozen=True)
class Directory:
    """People and courses a sentence may name, for the intents that take them."""

    people: Sequence[tuple[int, str, str]] = ()  # (id, name, email)
    courses: Sequence[tuple[int, str, str]] = ()  # (id, code, title)
    manager_email: str | None = None  # the asker's manager ("my manager", "my boss")


_WORD = re.compile(r"[a-z0-9][a-z0-9+#.'’/-]*[a-z0-9+#]|[a-z0-9]")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@dataclass
class _Span:
    start: int
    end: int
    match: LabelMatch

    @property
    def length(self) -> int:
        return self.end - self.start


def find_label(index: LabelIndex, text: str, carrier: frozenset[str], name: str) -> SlotValue | None:
    """The role or skill a sentence is about (see the module docstring).

    Candidates are every exact label span, and a fuzzy match of a run of words no exact span covers. A request
    names what it is about last ("I'm a tester — what's my gap to games developer?"), so the run ending latest that
    resolves wins, and within it the longest exact span.
    """
    tokens = words(text[:MAX_TEXT])
    if not tokens:
        return None
    ignorable = carrier | STOPWORDS
    spans: list[_Span] = []
    for start, end in _candidate_spans(tokens, ignorable):
        piece = tokens[start:end]
        if all(w in ignorable for w in piece) and (len(piece) == 1 or all(w in STOPWORDS for w in piece)):
            continue  # "role a" may be a label even though "role" is how people ask; "the" alone never is
        match = _exact(index, " ".join(piece))
        if match is None:
            continue
        if len(piece) > 1 and (piece[0] in _EDGES or piece[-1] in _EDGES):
            # "my SQL skill" is about "SQL": when the words inside the edges are a label too, the span is theirs.
            inner_start = start + (piece[0] in _EDGES)
            inner_end = end - (piece[-1] in _EDGES and end - 1 > inner_start)
            inner = _exact(index, " ".join(tokens[inner_start:inner_end])) if inner_end > inner_start else None
            if inner is not None:
                start, end, match = inner_start, inner_end, inner
        spans.append(_Span(start, end, match))
    # A request names what it is about last: runs are tried from the end, and the first that resolves to one concept
    # wins; a run with several close candidates is kept in case none does. Fuzzy look-ups (the costly part, over
    # every label) are bounded per message.
    runs = _runs(tokens, ignorable)
    ambiguous: _Span | None = None
    unknown: _Span | None = None
    fuzzy_left = MAX_FUZZY_LOOKUPS
    for start, end in reversed(runs):
        inside = [s for s in spans if s.start < end and s.end > start]
        exact = max(inside, key=lambda s: (s.match.status == "found", s.length, s.end), default=None)
        phrase = " ".join(tokens[start:end])
        candidate = exact
        if (exact is None or exact.length < end - start) and len(phrase) >= 3 and end - start <= MAX_WORDS and fuzzy_left:
            # No exact label covers the whole run: a typo ("datta scientist"), or words around a label.
            fuzzy_left -= 1
            fuzzy = index.resolve(phrase)
            if fuzzy.status == "found" and fuzzy.best is not None and (exact is None or fuzzy.best.score >= 90):
                candidate = _Span(start, end, fuzzy)
            elif fuzzy.status == "ambiguous" and exact is None:
                candidate = _Span(start, end, fuzzy)
            elif exact is None and unknown is None:
                unknown = _Span(start, end, LabelMatch("unknown", phrase))
        if candidate is None:
            continue
        if candidate.match.status == "found":
            return _value(name, " ".join(tokens[candidate.start:candidate.end]), candidate.match)
        ambiguous = ambiguous or candidate
    outside = [s for s in spans if not any(s.start < e and s.end > b for b, e in runs)]
    found_outside = [s for s in outside if s.match.status == "found"]
    best = max(found_outside, key=lambda s: (s.end, s.length), default=None) or ambiguous or unknown
    if best is None and outside:
        best = max(outside, key=lambda s: (s.end, s.length))
    return _value(name, " ".join(tokens[best.start:best.end]), best.match) if best is not None else None


def _candidate_spans(tokens: list[str], ignorable: frozenset[str]) -> list[tuple[int, int]]:
    """Where a label may stand: the whole rest of the sentence from any word, or the whole of it up to any word,
    at any length ("what's my path to wholesale merchant in machinery, industrial equipment, ships and aircraft?"),
    and inside it runs of up to six words that neither start nor end with a word like "to", "my" or "the"."""
    n = len(tokens)
    spans = {(start, n) for start in range(n)} | {(0, end) for end in range(1, n + 1)}
    for start in range(n):
        if tokens[start] in STOPWORDS:
            continue
        for end in range(start + 1, min(n, start + MAX_WORDS) + 1):
            if tokens[end - 1] not in STOPWORDS:
                spans.add((start, end))
    return sorted(spans, key=lambda se: (-(se[1] - se[0]), se[0]))


def _exact(index: LabelIndex, phrase: str) -> LabelMatch | None:
    for form in index.vocabulary.forms(phrase):
        ids, _preferred = index.lookup(form)
        if len(ids) == 1:
            concept = next(iter(ids))
            return LabelMatch("found", phrase, _candidate(index, concept))
        if ids:
            cands = sorted((_candidate(index, i) for i in ids), key=index.vocabulary.ambiguous_order)
            return LabelMatch("ambiguous", phrase, None, cands[:5])
    return None


def _candidate(index: LabelIndex, concept: int) -> Candidate:
    return Candidate(concept, index.label(concept), 100.0)


def _runs(tokens: list[str], ignorable: frozenset[str]) -> list[tuple[int, int]]:
    """Maximal runs of words that are not just how the question is asked."""
    runs, start = [], None
    for i, token in enumerate(tokens + [""]):
        keep = bool(token) and token not in ignorable
        if keep and start is None:
            start = i
        elif not keep and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _value(name: str, typed: str, match: LabelMatch) -> SlotValue:
    if match.status == "found" and match.best is not None:
        return SlotValue(name, typed, match.best.label, "found", ref=match.best.id)
    return SlotValue(name, typed, None, match.status, tuple(c.label for c in match.candidates))


# --------------------------------------------------------------------------- people and courses

_EMAIL = re.compile(r"[a-z0-9._%+'-]+@[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)
_MY_MANAGER = re.compile(r"\bmy\s+(?:manager|boss|line manager|lead|supervisor|team lead)\b", re.IGNORECASE)


def find_person(text: str, directory: Directory, carrier: frozenset[str]) -> SlotValue | None:
    email = _EMAIL.search(text)
    if email:
        typed = email.group(0).lower()
        found = next(((pid, e) for pid, _n, e in directory.people if e.lower() == typed), None)
        return SlotValue("person", typed, typed, "found" if found else "unknown", ref=found[0] if found else None)
    if _MY_MANAGER.search(text) and directory.manager_email:
        return SlotValue("person", "my manager", directory.manager_email)
    tokens = [w for w in words(text) if w not in STOPWORDS and w not in carrier and len(w) > 1]
    if not tokens or not directory.people:
        return None
    names = [n.lower() for _pid, n, _e in directory.people]
    best: dict[int, tuple[float, str]] = {}
    for n in (2, 1):
        for i in range(len(tokens) - n + 1):
            phrase = " ".join(tokens[i:i + n]).removesuffix("'s")
            for _name, score, idx in process.extract(phrase, names, scorer=_name_score, limit=5, score_cutoff=80):
                if score > best.get(idx, (0.0, ""))[0]:
                    best[idx] = (score, phrase)
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
    top_score = ranked[0][1][0]
    close = [idx for idx, (score, _p) in ranked if score >= top_score - 3]
    typed = ranked[0][1][1]
    if len(close) == 1:
        pid, _name, email_ = directory.people[close[0]]
        return SlotValue("person", typed, email_, ref=pid)
    return SlotValue("person", typed, None, "ambiguous", tuple(directory.people[i][2] for i in close[:5]))


def _name_score(query: str, name: str, **_: Any) -> float:
    """A typed name against a full name: the whole name, or its first or last name on its own."""
    parts = name.split()
    if " " in query:
        return fuzz.ratio(query, name)
    return max(fuzz.ratio(query, part) for part in parts) if parts else 0.0


_COURSE_CODE = re.compile(r"\b([a-z]{2,3})[\s-]?(\d{3})\b", re.IGNORECASE)


def find_course(text: str, directory: Directory) -> SlotValue | None:
    codes = {code.lower(): (cid, code) for cid, code, _t in directory.courses}
    for m in _COURSE_CODE.finditer(text):
        key = (m.group(1) + m.group(2)).lower()
        if key in codes:
            cid, code = codes[key]
            return SlotValue("course", m.group(0), code, ref=cid)
    lowered = text.lower()
    scored = []
    for cid, code, title in directory.courses:
        score = fuzz.partial_ratio(title.lower(), lowered) if len(title) >= 6 else 0.0
        if score >= 88:
            scored.append((score, len(title), cid, code, title))
    if not scored:
        m = _COURSE_CODE.search(text)
        return SlotValue("course", m.group(0), None, "unknown") if m else None
    scored.sort(reverse=True)
    score, _len, cid, code, title = scored[0]
    close = [s for s in scored if s[0] >= score - 2 and s[2] != cid]
    if close and score < 100:
        return SlotValue("course", title, None, "ambiguous", tuple([code] + [s[3] for s in close[:4]]))
    return SlotValue("course", title, code, ref=cid)


# --------------------------------------------------------------------------- numbers, words and reasons

_LEVEL = re.compile(r"\b(?:level|lvl|lv|at|a)\s*#?\s*([1-4])\b(?!\s*(?:days?|weeks?|hours?|%))|\b([1-4])\s*(?:/|out of)\s*4\b", re.IGNORECASE)
_LEVEL_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
_LEVEL_WORD = re.compile(r"\blevel\s+(one|two|three|four)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.-])#?(\d{1,7})(?![\w.-]|\s*(?:days?|weeks?|hours?|h\b|%|am|pm|/))", re.IGNORECASE)
_REFERENCED = {
    "proposal_id": re.compile(r"\b(?:proposal|proposals|prop|recommendation|suggestion|item|card|request|number|no\.?|id)\s*#?\s*(\d{1,7})\b|#(\d{1,7})\b", re.IGNORECASE),
    "challenge_id": re.compile(r"\b(?:challenge|challenges|case|appeal|dispute|complaint|number|no\.?|id)\s*#?\s*(\d{1,7})\b|#(\d{1,7})\b", re.IGNORECASE),
}


def find_level(text: str) -> SlotValue | None:
    m = _LEVEL.search(text)
    if m:
        value = int(m.group(1) or m.group(2))
        return SlotValue("level", m.group(0), value)
    m = _LEVEL_WORD.search(text)
    return SlotValue("level", m.group(0), _LEVEL_WORDS[m.group(1).lower()]) if m else None


def find_number(text: str, name: str) -> SlotValue | None:
    """A proposal or challenge number: one the sentence names as such first, else the only bare number."""
    named = _REFERENCED[name].search(text)
    if named:
        return SlotValue(name, named.group(0), int(named.group(1) or named.group(2)))
    cleaned = _COURSE_CODE.sub(" ", text)
    cleaned = _LEVEL.sub(" ", cleaned)
    cleaned = re.sub(r"\d{4}-\d{2}-\d{2}", " ", cleaned)
    numbers = _NUMBER.findall(cleaned)
    if numbers:
        return SlotValue(name, numbers[0], int(numbers[0]))
    return None


# Plain words for the keyword slots, most specific first; every value is what the use case expects.
KEYWORDS: dict[str, list[tuple[str, str]]] = {
    "verb": [
        ("override", r"\b(?:overrid\w*|overrode|overrul\w*|swap\w*|switch (?:it|this|that|her|him|them)|change (?:it|this|that|the course)|replac\w*|instead)\b"),
        ("reject", r"\b(?:reject\w*|declin\w*|deny|denied|refus\w*|turn(?:ed|ing)? (?:it |this |that )?down|say no|veto\w*|don'?t approve|not approv\w*|no to|nix)\b"),
        ("approve", r"\b(?:approv\w*|accept\w*|ok|okay|go ahead|greenlight\w*|green light|sign(?:ed)? off|agree\w*|yes to|confirm\w*|allow\w*|lgtm|fine|good to go)\b"),
    ],
    "verdict": [
        ("dismiss", r"\b(?:dismiss\w*|reject\w*|deny|denied|throw\w* out|thrown out|clos\w*|declin\w*|overrul\w*|not uphold\w*|no merit|unfounded)\b"),
        ("uphold", r"\b(?:uphold\w*|upheld|accept\w*|agree\w*|side with|grant\w*|valid|support\w*|right)\b"),
    ],
    "action_type": [
        ("schedule_checkin", r"\bcheck[\s-]?ins?\b|\bcheckins?\b|\bcheck in\b"),
        ("readiness_nudge", r"\breadiness\b|\bnudges?\b|\bready nudges?\b"),
        ("stretch_assignment", r"\bstretch\b|\bassignments?\b|\bgigs?\b"),
        ("adjust_path", r"\b(?:adjust|adjusting|adjustments?|change|changing)\s+(?:the\s+|of\s+)?paths?\b|\bpath (?:changes|adjustments?)\b|\badjust_path\b"),
        ("enrol_course", r"\benrol\w*\b|\benroll\w*\b|\bcourses?\b|\benrol_course\b|\bsign[\s-]?ups?\b"),
    ],
    "autonomy": [
        ("off", r"\b(?:off|disable|disabled|stop|never|turn off|switch off|no more|pause)\b"),
        ("approve", r"\b(?:approve|approval|approvals|sign[\s-]?off|ask (?:me|first|before)|human|review|manual|manually|confirm|permission)\b"),
        ("auto", r"\b(?:auto|automatic|automatically|on its own|by itself|without (?:asking|approval)|autonomous\w*|no approval)\b"),
    ],
}
_KEYWORD_RES = {slot: [(value, re.compile(p, re.IGNORECASE)) for value, p in options] for slot, options in KEYWORDS.items()}


def find_keyword(text: str, name: str) -> SlotValue | None:
    for value, pattern in _KEYWORD_RES[name]:
        m = pattern.search(text)
        if m:
            return SlotValue(name, m.group(0), value)
    return None


def find_autonomy(text: str) -> SlotValue | None:
    """"without approval" is auto although it names approval; otherwise off, then approve, then auto."""
    m = re.search(r"\b(?:without (?:asking|approval|sign[\s-]?off)|no approval|on its own|by itself)\b", text, re.IGNORECASE)
    if m:
        return SlotValue("autonomy", m.group(0), "auto")
    return find_keyword(text, "autonomy")


_REASON = re.compile(
    r"\b(?:because|since|cause|cuz|coz|bc|due to|given that|reason(?: is|:)?|as (?:she|he|they|i|it|we|this|that|the|her|his|my))\b\s*(?P<reason>\S.*)$",
    re.IGNORECASE | re.DOTALL)
_CLAUSE = re.compile(r"(?:[,;:]|\s[—–-]\s|\.\s)\s*(?P<reason>\S.*)$", re.DOTALL)
_NOT_A_REASON = re.compile(r"^(?:thanks|thank you|thx|ta|cheers|please|pls|plz|asap|now|today|ok|okay)\b", re.IGNORECASE)


def find_reason(text: str) -> SlotValue | None:
    """Why, when the sentence says: after "because", "since", … or, failing those, the clause after a comma,
    colon or dash that says more than a few words ("reject 9, she's already booked on a course")."""
    text = text.strip()
    m = _REASON.search(text)
    if m and len(words(m.group("reason"))) >= 2:
        return SlotValue("reason", m.group("reason").strip(" .!"), True)
    for m in _CLAUSE.finditer(text):
        reason = m.group("reason").strip(" .!")
        if len(words(reason)) >= 3 and not _NOT_A_REASON.match(reason):
            return SlotValue("reason", reason, True)
    return None


_ORDINALS = {"first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3, "3rd": 3, "three": 3,
             "fourth": 4, "4th": 4, "four": 4, "fifth": 5, "5th": 5, "five": 5, "last": -1, "top": 1}
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b|(?<![\w.])#?(\d{1,2})(?![\w.])", re.IGNORECASE)


def find_ordinal(text: str) -> SlotValue | None:
    m = _ORDINAL.search(text)
    if not m:
        return None
    value = _ORDINALS[m.group(1).lower()] if m.group(1) else int(m.group(2))
    return SlotValue("ordinal", m.group(0), value)


@dataclass
class Slots:
    """The slots found for one intent, by name."""

    values: dict[str, SlotValue] = field(default_factory=dict)

    def get(self, name: str) -> SlotValue | None:
        return self.values.get(name)

    def value(self, name: str) -> Any:
        slot = self.values.get(name)
        return slot.value if slot is not None else None

    def text(self, name: str) -> str:
        slot = self.values.get(name)
        return slot.text if slot is not None else ""

    def canonical(self) -> dict[str, Any]:
        return {name: slot.value for name, slot in self.values.items() if slot.value is not None}

    def unresolved(self) -> list[SlotValue]:
        return [s for s in self.values.values() if s.status != "found"]


def carrier_words(examples: Iterable[str]) -> frozenset[str]:
    """Words an intent is asked with (seen at least twice outside slot values in its examples)."""
    counts: dict[str, int] = {}
    for text in examples:
        for w in set(words(text)):
            counts[w] = counts.get(w, 0) + 1
    return frozenset(w for w, c in counts.items() if c >= 2)
