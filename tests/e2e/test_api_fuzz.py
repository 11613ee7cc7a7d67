"""Property-based fuzzing of the gateway's own OpenAPI (schemathesis): whatever it is sent, the
gateway never answers with a 5xx, and every error is the JSON error shape."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES_PER_OPERATION = 40  # ~1 min for the whole API on 2 cores


@pytest.fixture(scope="module")
def operations(gateway):
    schema = schemathesis.openapi.from_url(f"{gateway.url}/openapi.json")
    return {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


def test_the_schema_has_every_route(operations):
    assert set(operations) == {"POST /v1/ocr", "GET /healthz", "GET /readyz", "GET /metrics"}


@pytest.mark.parametrize("label", ["POST /v1/ocr", "GET /healthz", "GET /readyz", "GET /metrics"])
def test_no_generated_request_gets_a_5xx(operations, label):
    # Hypothesis driven directly (schemathesis' pytest plugin does not support this pytest yet).
    @given(case=operations[label].as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(timeout=60)
        assert response.status_code < 500, (case.path, case.query, response.status_code, response.text[:300])
        if response.status_code >= 400:
            error = response.json()["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)

    check()
