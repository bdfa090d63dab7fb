"""schemathesis, in process over WSGI, against the OpenAPI document with a valid admin token."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import make_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


def test_openapi_document_is_served_and_valid(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert {"/people", "/people/{person_id}", "/assignments", "/completions/batch", "/compliance",
            "/evaluations", "/flags", "/courses", "/requirements"} <= set(doc["paths"])
    schemathesis.openapi.from_dict(doc)  # raises if the document is not a valid OpenAPI schema


def test_schemathesis_finds_no_server_error_or_schema_violation(app, session, world, training):
    app.config["API_RATE_LIMIT"] = "100000/60"
    token = make_token(session, world.emails["admin"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=10, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def run(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)

            run()
