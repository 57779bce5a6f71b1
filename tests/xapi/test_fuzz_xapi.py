"""The LRS door fuzzed over real HTTP: garbage bodies, and the specification's statements with fields replaced by
values of the wrong type or removed, never get a 5xx — a bad statement is a 400 with a reason."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))

from xapi_helpers import spec_statements  # noqa: E402
from strategies import mutated, raw_bodies  # noqa: E402

FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
EXAMPLES = [s for _, s in spec_statements()]


@FUZZ
@given(body=raw_bodies())
def test_garbage_bodies_get_no_failure(lrs, body):
    response = lrs.post(None, raw=body)
    assert response.status_code in (400, 409, 413), (response.status_code, response.text[:300])
    assert "Traceback" not in response.text


@FUZZ
@given(data=st.data(), batch=st.booleans())
def test_statements_with_wrongly_typed_fields_get_400_with_a_reason_or_are_stored(lrs, data, batch):
    statement = data.draw(mutated(data.draw(st.sampled_from(EXAMPLES))))
    statement.pop("id", None)  # a fresh id each time: the 409 path is tested on its own
    response = lrs.post([statement] if batch else statement)
    assert response.status_code in (200, 400), (response.status_code, response.text[:300], json.dumps(statement)[:300])
    if response.status_code == 400:
        assert response.json()["error"]
