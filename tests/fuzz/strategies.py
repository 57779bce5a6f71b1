"""Hypothesis strategies for hostile input: text people type, bodies that are not what they claim, JSON of the
wrong shape, and payloads of the right shape with fields of the wrong type."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

CONTROL = "".join(chr(c) for c in range(0, 32)) + "\x7f\u200b\u200e\u202e\ufeff\u2028\u2029"
SQLISH = ["'; DROP TABLE people; --", "1 OR 1=1", "\" OR \"\"=\"", "Robert'); DELETE FROM skill_evidence;--",
          "%' UNION SELECT email FROM people --", "\\x00", "NULL", "' || pg_sleep(5) --"]
BLOCKISH = ['{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]}', "<!channel> <!here> <!everyone>",
            "*bold* _italic_ ~strike~ `code` ```block```", "<http://evil.example|click me>", "<@U0000000> <#C0000000|general>",
            '{"type":"AdaptiveCard","body":[{"type":"TextBlock","text":"x"}]}', "<script>alert(1)</script>", "&lt;&gt;&amp;",
            "{{7*7}} ${jndi:ldap://x} %s %n %x", "[x](javascript:alert(1))"]
EMOJI = ["😀", "👩🏽‍💻", "🏳️‍🌈", "🇬🇧", "❤️", "🔥" * 50, "\U0001F600\U0001F601\U0001F602"]
PHRASES = ["what's my path to ", "hide me from readiness lists", "what have you inferred about me?", "ladder ", "/ladder ",
           "approve 1", "challenge ", "who on my team is ready for ", "enrol me in ", "my privacy settings", "help", "yes",
           "the second one", "why?"]

mentions = st.lists(st.sampled_from(["<@UBOT00001>", "<@UKS000001>", "<@W123ABC>", "<!subteam^S1>", "@Ladder"]),
                    min_size=1, max_size=6).map(" ".join)


def chat_text() -> st.SearchStrategy[str]:
    """What someone might type, or paste, or send to break things."""
    return st.one_of(
        st.text(max_size=400),
        st.text(alphabet=CONTROL, max_size=60),
        st.just(""), st.just("   \n\t  "),
        st.integers(min_value=1, max_value=100_000).map(lambda n: ("long message " * (n // 13 + 1))[:n]),
        st.just("x" * 100_000),
        mentions,
        st.lists(st.sampled_from(EMOJI), min_size=1, max_size=8).map("".join),
        st.sampled_from(SQLISH), st.sampled_from(BLOCKISH),
        st.tuples(st.sampled_from(PHRASES), st.one_of(st.text(max_size=80), st.sampled_from(SQLISH + BLOCKISH + EMOJI)))
        .map("".join),
    )


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                         st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                           max_leaves=12)
wrong_values = st.one_of(json_values, st.just("x" * 20_000), st.just([]), st.just({}), st.just(-1), st.just(10 ** 30),
                         st.sampled_from(SQLISH + BLOCKISH))


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Bodies that are not what their content type says: bytes, broken JSON, JSON of the wrong shape, huge ones."""
    return st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.just(b'{"type": "event_callback", "event": '),  # cut off
        st.just(b"payload=%7B%22type%22%3A"),  # a form whose payload is cut off
        st.just(b"\xff\xfe\x00{\x00}"),  # not UTF-8
        st.just(b"{" * 5000 + b"}" * 5000),  # deep nesting
        st.integers(min_value=6, max_value=7).map(lambda mb: b"a" * (mb * 1024 * 1024)),  # over the server's 5 MB
    )


CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data",
                 "application/json; charset=latin-1", "application/xml", "", "application/json; boundary=x"]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:5]):
            out += _paths(v, prefix + (i,))
    return out


@st.composite
def mutated(draw, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with a few fields replaced by values of the wrong type, or removed."""
    out = copy.deepcopy(payload)
    paths = _paths(out)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = out
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = copy.deepcopy(draw(wrong_values))  # st.just hands out one object: never share it
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced part of this path
    return out
