"""An xAPI 1.0.3 statement checked against the specification (Data §2.2–2.4, §4), pure.

``problems(statement)`` returns every rule a statement breaks, each with the JSON path of the offending value and a
reason a developer of an LMS can act on; an empty list means the statement is valid. ``canonical`` is the form two
statements with the same id are compared in (§2.3 "Statement Comparison": ``stored``, ``authority`` and ``version``
set by the LRS, and the case of ids, do not count).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SUPPORTED_VERSION = "1.0.3"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# An absolute IRI: a scheme, a colon and no white space (RFC 3987 in the large; the conformance suite asks no more).
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_EMAIL = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
# RFC 5646 in the large: a primary subtag and optional subtags of 1–8 letters or digits.
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
_DURATION = re.compile(
    r"^(P\d+(\.\d+)?W|P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?)$")  # weeks stand alone (ISO 8601)
_VERSION = re.compile(r"^1\.0(\.\d+)?$")

STATEMENT_KEYS = frozenset({"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                            "version", "attachments"})
SUBSTATEMENT_KEYS = frozenset({"objectType", "actor", "verb", "object", "result", "context", "timestamp",
                               "attachments"})
AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
GROUP_KEYS = AGENT_KEYS | {"member"}
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
INTERACTION_TYPES = frozenset({"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                               "sequencing", "likert", "numeric", "other"})
# Which interaction component lists each interaction type may carry (Data §2.4.4.1.1).
COMPONENTS = {"choice": {"choices"}, "sequencing": {"choices"}, "likert": {"scale"},
              "matching": {"source", "target"}, "performance": {"steps"}}
ALL_COMPONENTS = frozenset({"choices", "scale", "source", "target", "steps"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One rule a statement breaks: where (a JSON path such as ``$.actor.mbox``) and why."""

    path: str
    reason: str

    def as_data(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


def version_ok(header: str | None) -> bool:
    """The X-Experience-API-Version a client sent is one this LRS speaks (1.0.x)."""
    return bool(header) and bool(_VERSION.match(header.strip()))


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def parse_timestamp(value: str) -> dt.datetime | None:
    """An ISO 8601 timestamp as an aware datetime (UTC when it names no zone), or None if it is not one."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value) or re.search(r"-00(:?00)?$", value):
        return None
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{2}$", text):
        text += ":00"
    elif re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    # Python takes at most six fractional digits; the specification allows more precision.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def problems(statement: Any) -> list[Problem]:
    """Every rule of xAPI 1.0.3 the statement breaks (empty: valid)."""
    found: list[Problem] = []
    _Checker(found).statement(statement, "$")
    return found


def problems_of_batch(body: Any) -> list[Problem]:
    """A POST body: one statement or a non-empty list of them, no id twice."""
    if isinstance(body, list):
        if not body:
            return [Problem("$", "an empty list of statements")]
        found: list[Problem] = []
        seen: set[str] = set()
        for i, item in enumerate(body):
            found.extend(Problem(p.path.replace("$", f"$[{i}]", 1), p.reason) for p in problems(item))
            sid = item.get("id") if isinstance(item, dict) else None
            if isinstance(sid, str):
                if sid.lower() in seen:
                    found.append(Problem(f"$[{i}].id", "the same statement id twice in one request"))
                seen.add(sid.lower())
        return found
    return problems(body)


def actor_key(agent: dict[str, Any]) -> str | None:
    """An Agent's or identified Group's inverse functional identifier as one string (what ``agent=`` filters on)."""
    if not isinstance(agent, dict):
        return None
    if isinstance(agent.get("mbox"), str):
        return "mbox:" + agent["mbox"].lower()
    if isinstance(agent.get("mbox_sha1sum"), str):
        return "mbox_sha1sum:" + agent["mbox_sha1sum"].lower()
    if isinstance(agent.get("openid"), str):
        return "openid:" + agent["openid"]
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage')}|{account.get('name')}"
    return None


def canonical(statement: dict[str, Any]) -> str:
    """The form two statements with one id are compared in: LRS-set properties left out, keys sorted."""
    kept = {k: v for k, v in statement.items() if k not in ("stored", "authority", "version")}
    if isinstance(kept.get("id"), str):
        kept["id"] = kept["id"].lower()
    if isinstance(kept.get("timestamp"), str):
        parsed = parse_timestamp(kept["timestamp"])
        if parsed:
            kept["timestamp"] = parsed.astimezone(dt.timezone.utc).isoformat()
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Checker:
    def __init__(self, found: list[Problem]) -> None:
        self.found = found

    def add(self, path: str, reason: str) -> None:
        self.found.append(Problem(path, reason))

    def _object(self, value: Any, path: str, what: str) -> bool:
        if not isinstance(value, dict):
            self.add(path, f"{what} must be a JSON object")
            return False
        return True

    def _keys(self, value: dict[str, Any], allowed: frozenset[str], path: str, what: str) -> None:
        for key in value:
            if key not in allowed:
                self.add(f"{path}.{key}", f"'{key}' is not a property of {what} (names are case-sensitive)")

    def _string(self, value: Any, path: str, what: str) -> bool:
        if not isinstance(value, str):
            self.add(path, f"{what} must be a string")
            return False
        return True

    def _iri(self, value: Any, path: str, what: str) -> None:
        if not isinstance(value, str) or not _IRI.match(value):
            self.add(path, f"{what} must be an absolute IRI (for example http://example.com/...)")

    def _language_map(self, value: Any, path: str, what: str) -> None:
        if not self._object(value, path, f"{what} (a language map)"):
            return
        for tag, text in value.items():
            if not _LANGUAGE.match(tag):
                self.add(f"{path}.{tag}", f"'{tag}' is not an RFC 5646 language tag")
            if not isinstance(text, str):
                self.add(f"{path}.{tag}", f"the {what} in '{tag}' must be a string")

    def _extensions(self, value: Any, path: str) -> None:
        if not self._object(value, path, "extensions"):
            return
        for key in value:
            self._iri(key, f"{path}.{key}", "an extension key")

    def _uuid(self, value: Any, path: str, what: str) -> None:
        if not is_uuid(value):
            self.add(path, f"{what} must be a UUID (8-4-4-4-12 hexadecimal digits)")

    def _timestamp(self, value: Any, path: str, what: str) -> None:
        if parse_timestamp(value) is None:
            self.add(path, f"{what} must be an ISO 8601 timestamp such as 2013-05-18T05:32:34.804Z "
                           "(an offset of -00:00 is not allowed)")

    # ------------------------------------------------------------------ the statement

    def statement(self, s: Any, path: str, *, sub: bool = False) -> None:
        what = "a SubStatement" if sub else "a statement"
        if not self._object(s, path, what.capitalize()):
            return
        self._keys(s, SUBSTATEMENT_KEYS if sub else STATEMENT_KEYS, path, what)
        if sub and s.get("objectType") != "SubStatement":
            self.add(f"{path}.objectType", "a SubStatement must say objectType 'SubStatement'")
        if "id" in s and not sub:
            self._uuid(s["id"], f"{path}.id", "the statement id")
        for required in ("actor", "verb", "object"):
            if required not in s:
                self.add(f"{path}.{required}", f"{what} needs an '{required}'")
        if "actor" in s:
            self.actor(s["actor"], f"{path}.actor")
        if "verb" in s:
            self.verb(s["verb"], f"{path}.verb")
        if "object" in s:
            self.object(s["object"], f"{path}.object", sub=sub)
        if "result" in s:
            self.result(s["result"], f"{path}.result")
        if "context" in s:
            self.context(s["context"], f"{path}.context", s.get("object"))
        if "timestamp" in s:
            self._timestamp(s["timestamp"], f"{path}.timestamp", "the timestamp")
        if "stored" in s:
            self._timestamp(s["stored"], f"{path}.stored", "stored")
        if "authority" in s:
            self.authority(s["authority"], f"{path}.authority")
        if "version" in s and not (isinstance(s["version"], str) and _VERSION.match(s["version"])):
            self.add(f"{path}.version", "the version must be 1.0.x")
        if "attachments" in s:
            self.attachments(s["attachments"], f"{path}.attachments")
        verb = s.get("verb")
        if isinstance(verb, dict) and verb.get("id") == VOIDED and not sub:
            target = s.get("object")
            if not (isinstance(target, dict) and target.get("objectType") == "StatementRef"):
                self.add(f"{path}.object", "a voiding statement's object must be a StatementRef to the voided statement")

    def actor(self, a: Any, path: str) -> None:
        if not self._object(a, path, "An actor"):
            return
        kind = a.get("objectType", "Agent")
        if kind == "Group":
            self.group(a, path)
        elif kind == "Agent":
            self.agent(a, path)
        else:
            self.add(f"{path}.objectType", "an actor's objectType must be 'Agent' or 'Group'")

    def authority(self, a: Any, path: str) -> None:
        """An Agent, or (OAuth) an anonymous Group of exactly two Agents (Data §2.4.9)."""
        self.actor(a, path)
        if isinstance(a, dict) and a.get("objectType") == "Group":
            if any(k in a for k in IFIS):
                self.add(path, "an authority Group must be anonymous (no identifier)")
            if not (isinstance(a.get("member"), list) and len(a["member"]) == 2):
                self.add(f"{path}.member", "an authority Group has exactly two members (OAuth consumer and user)")

    def _ifis(self, a: dict[str, Any], path: str) -> int:
        present = [k for k in IFIS if k in a]
        for key in present:
            value = a[key]
            if key == "mbox" and not (isinstance(value, str) and _EMAIL.match(value)):
                self.add(f"{path}.mbox", "mbox must be 'mailto:' followed by an email address")
            elif key == "mbox_sha1sum" and not (isinstance(value, str) and _SHA1.match(value)):
                self.add(f"{path}.mbox_sha1sum", "mbox_sha1sum must be 40 hexadecimal digits (SHA-1 of the mailto IRI)")
            elif key == "openid":
                self._iri(value, f"{path}.openid", "openid")
            elif key == "account":
                self.account(value, f"{path}.account")
        return len(present)

    def account(self, acc: Any, path: str) -> None:
        if not self._object(acc, path, "An account"):
            return
        self._keys(acc, frozenset({"homePage", "name"}), path, "an account")
        if "homePage" not in acc:
            self.add(f"{path}.homePage", "an account needs a homePage (an IRL)")
        else:
            self._iri(acc["homePage"], f"{path}.homePage", "an account's homePage")
        if "name" not in acc:
            self.add(f"{path}.name", "an account needs a name")
        else:
            self._string(acc["name"], f"{path}.name", "an account's name")

    def agent(self, a: dict[str, Any], path: str) -> None:
        self._keys(a, AGENT_KEYS, path, "an Agent")
        if "name" in a:
            self._string(a["name"], f"{path}.name", "an Agent's name")
        n = self._ifis(a, path)
        if n != 1:
            self.add(path, "an Agent needs exactly one identifier: mbox, mbox_sha1sum, openid or account"
                           f" (found {n})")

    def group(self, g: dict[str, Any], path: str) -> None:
        self._keys(g, GROUP_KEYS, path, "a Group")
        if "name" in g:
            self._string(g["name"], f"{path}.name", "a Group's name")
        n = self._ifis(g, path)
        if n > 1:
            self.add(path, "a Group has at most one identifier: mbox, mbox_sha1sum, openid or account")
        if "member" in g:
            members = g["member"]
            if not isinstance(members, list):
                self.add(f"{path}.member", "a Group's member must be a list of Agents")
            else:
                for i, m in enumerate(members):
                    mpath = f"{path}.member[{i}]"
                    if self._object(m, mpath, "A member"):
                        if m.get("objectType", "Agent") != "Agent":
                            self.add(f"{mpath}.objectType", "a Group's members must be Agents, not Groups")
                        else:
                            self.agent(m, mpath)
        if n == 0 and not (isinstance(g.get("member"), list) and g["member"]):
            self.add(f"{path}.member", "an anonymous Group (no identifier) needs at least one member")

    def verb(self, v: Any, path: str) -> None:
        if not self._object(v, path, "The verb"):
            return
        self._keys(v, frozenset({"id", "display"}), path, "a verb")
        if "id" not in v:
            self.add(f"{path}.id", "the verb needs an id (an IRI)")
        else:
            self._iri(v["id"], f"{path}.id", "the verb id")
        if "display" in v:
            self._language_map(v["display"], f"{path}.display", "verb display")

    def object(self, o: Any, path: str, *, sub: bool) -> None:
        if not self._object(o, path, "The object"):
            return
        kind = o.get("objectType", "Activity")
        if kind == "Activity":
            self.activity(o, path)
        elif kind in ("Agent", "Group"):
            self.actor(o, path)
        elif kind == "StatementRef":
            self._keys(o, frozenset({"objectType", "id"}), path, "a StatementRef")
            self._uuid(o.get("id"), f"{path}.id", "a StatementRef's id")
        elif kind == "SubStatement":
            if sub:
                self.add(f"{path}.objectType", "a SubStatement cannot contain another SubStatement")
            else:
                self.statement(o, path, sub=True)
        else:
            self.add(f"{path}.objectType",
                     "the object's objectType must be Activity, Agent, Group, StatementRef or SubStatement")

    def activity(self, o: dict[str, Any], path: str) -> None:
        self._keys(o, frozenset({"objectType", "id", "definition"}), path, "an Activity")
        if "id" not in o:
            self.add(f"{path}.id", "an Activity needs an id (an IRI)")
        else:
            self._iri(o["id"], f"{path}.id", "the Activity id")
        if "definition" in o:
            self.definition(o["definition"], f"{path}.definition")

    def definition(self, d: Any, path: str) -> None:
        if not self._object(d, path, "An Activity definition"):
            return
        allowed = frozenset({"name", "description", "type", "moreInfo", "extensions", "interactionType",
                             "correctResponsesPattern"}) | ALL_COMPONENTS
        self._keys(d, allowed, path, "an Activity definition")
        for key in ("name", "description"):
            if key in d:
                self._language_map(d[key], f"{path}.{key}", f"Activity {key}")
        if "type" in d:
            self._iri(d["type"], f"{path}.type", "the Activity type")
        if "moreInfo" in d:
            self._iri(d["moreInfo"], f"{path}.moreInfo", "moreInfo")
        if "extensions" in d:
            self._extensions(d["extensions"], f"{path}.extensions")
        interaction = d.get("interactionType")
        if not isinstance(interaction, str):
            interaction = None if interaction is None else ""
        if "interactionType" in d and interaction not in INTERACTION_TYPES:
            self.add(f"{path}.interactionType", "interactionType must be one of " + ", ".join(sorted(INTERACTION_TYPES)))
        if "correctResponsesPattern" in d:
            pattern = d["correctResponsesPattern"]
            if not (isinstance(pattern, list) and all(isinstance(x, str) for x in pattern)):
                self.add(f"{path}.correctResponsesPattern", "correctResponsesPattern must be a list of strings")
        present = ALL_COMPONENTS & d.keys()
        if (present or "correctResponsesPattern" in d) and "interactionType" not in d:
            self.add(path, "interaction components and correctResponsesPattern need an interactionType")
        elif present and interaction in INTERACTION_TYPES:
            for key in present - COMPONENTS.get(interaction, set()):
                self.add(f"{path}.{key}", f"'{key}' is not a component of a {interaction} interaction")
        for key in present:
            self.components(d[key], f"{path}.{key}")

    def components(self, items: Any, path: str) -> None:
        if not isinstance(items, list):
            self.add(path, "interaction components must be a list")
            return
        ids: set[str] = set()
        for i, c in enumerate(items):
            cpath = f"{path}[{i}]"
            if not self._object(c, cpath, "An interaction component"):
                continue
            self._keys(c, frozenset({"id", "description"}), cpath, "an interaction component")
            if self._string(c.get("id"), f"{cpath}.id", "an interaction component's id"):
                if c["id"] in ids:
                    self.add(f"{cpath}.id", "interaction component ids must be distinct")
                ids.add(c["id"])
            if "description" in c:
                self._language_map(c["description"], f"{cpath}.description", "component description")

    def result(self, r: Any, path: str) -> None:
        if not self._object(r, path, "The result"):
            return
        self._keys(r, frozenset({"score", "success", "completion", "response", "duration", "extensions"}), path,
                   "a result")
        for key in ("success", "completion"):
            if key in r and not isinstance(r[key], bool):
                self.add(f"{path}.{key}", f"{key} must be true or false")
        if "response" in r:
            self._string(r["response"], f"{path}.response", "the response")
        if "duration" in r and not (isinstance(r["duration"], str) and _DURATION.match(r["duration"])):
            self.add(f"{path}.duration", "the duration must be an ISO 8601 duration such as PT1H0M0S")
        if "extensions" in r:
            self._extensions(r["extensions"], f"{path}.extensions")
        if "score" in r:
            self.score(r["score"], f"{path}.score")

    def score(self, sc: Any, path: str) -> None:
        if not self._object(sc, path, "The score"):
            return
        self._keys(sc, frozenset({"scaled", "raw", "min", "max"}), path, "a score")
        numbers: dict[str, float] = {}
        for key in ("scaled", "raw", "min", "max"):
            if key in sc:
                value = sc[key]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    self.add(f"{path}.{key}", f"the score's {key} must be a number")
                else:
                    numbers[key] = float(value)
        if "scaled" in numbers and not -1.0 <= numbers["scaled"] <= 1.0:
            self.add(f"{path}.scaled", "the scaled score must be between -1 and 1")
        low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
        if low is not None and high is not None and low >= high:
            self.add(f"{path}.min", "the score's min must be less than its max")
        if raw is not None and low is not None and raw < low:
            self.add(f"{path}.raw", "the raw score is below min")
        if raw is not None and high is not None and raw > high:
            self.add(f"{path}.raw", "the raw score is above max")

    def context(self, c: Any, path: str, target: Any) -> None:
        if not self._object(c, path, "The context"):
            return
        self._keys(c, frozenset({"registration", "instructor", "team", "contextActivities", "revision", "platform",
                                 "language", "statement", "extensions"}), path, "a context")
        if "registration" in c:
            self._uuid(c["registration"], f"{path}.registration", "the registration")
        if "instructor" in c:
            self.actor(c["instructor"], f"{path}.instructor")
        if "team" in c:
            team = c["team"]
            if isinstance(team, dict) and team.get("objectType") != "Group":
                self.add(f"{path}.team", "the team must be a Group (objectType 'Group')")
            else:
                self.actor(team, f"{path}.team")
        for key in ("revision", "platform"):
            if key in c:
                self._string(c[key], f"{path}.{key}", f"the {key}")
                if isinstance(target, dict) and target.get("objectType", "Activity") != "Activity":
                    self.add(f"{path}.{key}", f"context {key} is only for statements about an Activity")
        if "language" in c and not (isinstance(c["language"], str) and _LANGUAGE.match(c["language"])):
            self.add(f"{path}.language", "the language must be an RFC 5646 tag such as en-US")
        if "statement" in c:
            ref = c["statement"]
            if self._object(ref, f"{path}.statement", "context statement"):
                if ref.get("objectType") != "StatementRef":
                    self.add(f"{path}.statement.objectType", "context statement must be a StatementRef")
                self._keys(ref, frozenset({"objectType", "id"}), f"{path}.statement", "a StatementRef")
                self._uuid(ref.get("id"), f"{path}.statement.id", "a StatementRef's id")
        if "extensions" in c:
            self._extensions(c["extensions"], f"{path}.extensions")
        if "contextActivities" in c:
            activities = c["contextActivities"]
            cpath = f"{path}.contextActivities"
            if self._object(activities, cpath, "contextActivities"):
                self._keys(activities, frozenset({"parent", "grouping", "category", "other"}), cpath,
                           "contextActivities")
                for key, value in activities.items():
                    items = value if isinstance(value, list) else [value]
                    for i, item in enumerate(items):
                        ipath = f"{cpath}.{key}[{i}]" if isinstance(value, list) else f"{cpath}.{key}"
                        if self._object(item, ipath, "A context activity"):
                            if item.get("objectType", "Activity") != "Activity":
                                self.add(f"{ipath}.objectType", "context activities must be Activities")
                            else:
                                self.activity(item, ipath)

    def attachments(self, items: Any, path: str) -> None:
        if not isinstance(items, list):
            self.add(path, "attachments must be a list")
            return
        for i, a in enumerate(items):
            apath = f"{path}[{i}]"
            if not self._object(a, apath, "An attachment"):
                continue
            self._keys(a, frozenset({"usageType", "display", "description", "contentType", "length", "sha2",
                                     "fileUrl"}), apath, "an attachment")
            for key in ("usageType", "display", "contentType", "length", "sha2"):
                if key not in a:
                    self.add(f"{apath}.{key}", f"an attachment needs '{key}'")
            if "usageType" in a:
                self._iri(a["usageType"], f"{apath}.usageType", "usageType")
            if "display" in a:
                self._language_map(a["display"], f"{apath}.display", "attachment display")
            if "description" in a:
                self._language_map(a["description"], f"{apath}.description", "attachment description")
            if "contentType" in a:
                self._string(a["contentType"], f"{apath}.contentType", "contentType")
            if "length" in a and (isinstance(a["length"], bool) or not isinstance(a["length"], int)):
                self.add(f"{apath}.length", "length must be an integer")
            if "sha2" in a:
                self._string(a["sha2"], f"{apath}.sha2", "sha2")
            if "fileUrl" in a:
                self._iri(a["fileUrl"], f"{apath}.fileUrl", "fileUrl")
