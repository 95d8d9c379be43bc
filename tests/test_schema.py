"""The one record schema: each field's rule, problems as data, on values checked by eye."""

from __future__ import annotations

import pytest

from classifier.data.schema import (
    MAX_ID_CHARS,
    MAX_INT_ID,
    FieldProblem,
    id_problem,
    kind_problem,
    labelled_problems,
    labels_problems,
    record_problem,
    string_problem,
    text_problem,
)

KNOWN = ["legal_aid", "worker_station"]


@pytest.mark.parametrize("value", ["a1", 7, -7, MAX_INT_ID, "i" * MAX_ID_CHARS, None, ""])
def test_an_optional_id_may_be_a_string_an_integer_or_absent(value):
    assert id_problem(value) is None


@pytest.mark.parametrize("value, message", [
    (True, "is not a string or integer"),
    (1.5, "is not a string or integer"),
    (["a"], "is not a string or integer"),
    (MAX_INT_ID + 1, f"is an integer beyond ±{MAX_INT_ID}"),
    ("\udfff", "holds a lone surrogate (a \\ud800-style escape), which is no character"),
])
def test_a_bad_id_is_named_with_what_is_wrong(value, message):
    assert id_problem(value, "items[0].id") == FieldProblem("items[0].id", message)


@pytest.mark.parametrize("value", [None, "", False])
def test_a_required_id_is_missing_when_absent_empty_or_boolean(value):
    assert str(id_problem(value, "doc", required=True)) == (
        "field 'doc' missing or not a string or integer")


def test_an_id_over_the_cap_says_its_length_and_the_cap():
    problem = id_problem("i" * (MAX_ID_CHARS + 1))
    assert (problem.over_limit, problem.size, problem.limit) == (True, 201, 200)
    assert str(problem) == "field 'id' has 201 characters; the limit is 200"


@pytest.mark.parametrize("value, limit, message", [
    ("工会驿站", None, None),
    ("工会驿站", 4, None),
    ("工会驿站", 3, "has 4 characters; the limit is 3"),
    (None, None, "missing or not a non-empty string"),
    (5, None, "missing or not a non-empty string"),
    (" \n", None, "missing or not a non-empty string"),
    ("驿\ud800", None, "holds a lone surrogate (a \\ud800-style escape), which is no character"),
])
def test_a_text_is_a_non_blank_string_of_characters_up_to_a_cap(value, limit, message):
    problem = text_problem(value, "text", limit)
    assert (problem and problem.message) == message


def test_an_empty_text_is_allowed_where_the_caller_says_so():
    assert text_problem("", empty=True) is None
    assert text_problem(None, empty=True).message == "missing or not a string"


def test_a_string_field_is_capped():
    assert string_problem("编" * 3, "editor", 3) is None
    assert string_problem(3.5, "editor").message == "is not a string"


@pytest.mark.parametrize("value, messages", [
    ([], []),
    (["legal_aid"], []),
    ("legal_aid", ["missing or not a list of strings"]),
    ([1], ["missing or not a list of strings"]),
    (["made_up", "legal_aid"], ["unknown theme id 'made_up'"]),
    (["legal_aid", "legal_aid"], ["repeats a theme id"]),
    (["legal_aid"] * 3, ["has 3 theme ids; the limit is 2"]),
])
def test_labels_are_known_theme_ids_without_repeats(value, messages):
    assert [p.message for p in labels_problems(value, KNOWN)] == messages


def test_kind_is_union_or_general():
    assert kind_problem("union") is None and kind_problem("general") is None
    assert str(kind_problem("sports")) == "field 'kind' must be one of union, general"


def test_a_record_is_an_object():
    assert record_problem({}) is None
    assert str(record_problem(["a"])) == "record is not a JSON object"


def test_a_labelled_record_reports_every_problem_at_once():
    record = {"id": True, "text": "", "labels": ["made_up"], "kind": "x", "doc": "kept"}
    assert [str(p) for p in labelled_problems(record, KNOWN)] == [
        "field 'text' missing or not a non-empty string",
        "unknown theme id 'made_up' in 'labels'",
        "field 'kind' must be one of union, general",
        "field 'id' is not a string or integer",
    ]
    assert labelled_problems({"text": "驿站", "labels": []}, KNOWN) == []
