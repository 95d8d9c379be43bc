"""GET /openapi.json: a document that matches the app, checked by schemathesis against it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from service import create_app

TOKEN = "openapi-token"


@pytest.fixture(scope="module")
def app(model_dir, tmp_path_factory):
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.jsonl"
    return create_app({"MODEL_DIR": str(model_dir), "ADMIN_TOKEN": TOKEN,
                       "MAX_TEXT_CHARS": 300, "MAX_ITEMS": 5, "FEEDBACK_FILE": str(feedback)})


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/openapi.json").get_json()


def test_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.0.")


def _rules(app) -> set[tuple[str, str]]:
    return {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_document_lists_every_route_of_the_app(app, document):
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented == _rules(app)


def test_document_gives_the_configured_limits(document):
    request = document["components"]["schemas"]["TagRequest"]["properties"]
    assert request["items"]["maxItems"] == 5
    assert request["text"]["maxLength"] == 300


def test_document_says_admin_is_404_when_disabled(document):
    responses = document["paths"]["/v1/admin/reload"]["post"]["responses"]
    assert responses["404"] == {"$ref": "#/components/responses/AdminDisabled"}
    assert "TAGGER_ADMIN_TOKEN" in document["components"]["responses"]["AdminDisabled"][
        "description"]


OPERATIONS = [("/v1/tag", "POST"), ("/v1/feedback", "POST"), ("/v1/themes", "GET"),
              ("/v1/model", "GET"),
              ("/v1/admin/reload", "POST"), ("/healthz", "GET"), ("/readyz", "GET"),
              ("/metrics", "GET"), ("/openapi.json", "GET"), ("/", "GET")]


# Over-limit texts and item counts are refused with 413, which schemathesis does not expect.
REJECTED = ["400", "401", "403", "404", "405", "413", "415"]


@pytest.fixture(scope="module")
def api_schema(app):
    config = schemathesis.Config.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REJECTED}}})
    return schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)


def test_every_documented_operation_is_fuzzed(document):
    assert {(path, method.lower()) for path, method in OPERATIONS} == {
        (path, method) for path, item in document["paths"].items() for method in item}


def fuzz(operation, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})

    check()


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_app_answers_valid_requests_as_documented(api_schema, path, method):
    fuzz(api_schema[path][method], GenerationMode.POSITIVE)


@pytest.mark.parametrize("path", ["/v1/tag", "/v1/feedback"])
def test_app_rejects_invalid_requests_as_documented(api_schema, path):
    fuzz(api_schema[path]["POST"], GenerationMode.NEGATIVE)
