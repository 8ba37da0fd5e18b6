from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

import forms
from forms import FORMS_DIR, FormInvalid, form_schema, load_form, validate_submission
from forms.errors import FormDefinitionError, FormNotFound
from forms.loader import shipped_forms

APPROVALS = ["approve_credit_manager", "approve_finance_director", "approve_general_manager"]
WRITE_OFFS = ["approve_write_off_finance_director", "approve_write_off_general_manager"]
COLLECTION = ["call_customer", "send_demand_letter", "resolve_dispute", *WRITE_OFFS]
SHIPPED = [
    "assess_customer",
    "revise_application",
    "review_customer",
    "legal_review",
    *APPROVALS,
    "credit_decision",
    *COLLECTION,
]

# One valid submission per shipped form, as a browser or an ERP would send it.
VALID = {
    "assess_customer": {
        "years_in_business": "8",
        "qualitative_rating": 3,
        "industry_risk": "medium",
        "override_limit": 150000.5,
        "override_grade": "B",
        "override_terms_days": 45.0,
        "override_reason": "Parent guarantee / 母公司担保",
        "comment": "",
    },
    "revise_application": {"comment": "Added the 2025 statements", "qualitative_rating": "4"},
    "review_customer": {
        "recommendation": "decrease",
        "proposed_limit": "300000",
        "qualitative_rating": 2,
        "comment": "two late payments",
    },
    "legal_review": {"decision": "sue", "comment": "enforcement ruling"},
    **dict.fromkeys(APPROVALS, {"decision": "approve", "comment": "ok", "approved_limit": "90000"}),
    "credit_decision": {
        "decision": "temporary_limit",
        "reason": "seasonal peak",
        "temporary_limit": "300000",
        "valid_until": "2026-03-31",
    },
    "call_customer": {
        "outcome": "promise_to_pay",
        "notes": "Talked to the CFO / 已与财务总监通话",
        "promise_amount": "12000.50",
        "promise_date": "2026-04-01",
    },
    "send_demand_letter": {"sent_on": "2026-04-15", "channel": "courier"},
    "resolve_dispute": {"resolution": "valid", "credit_note_amount": 300, "comment": "short"},
    **dict.fromkeys(WRITE_OFFS, {"decision": "approve", "comment": "uncollectable"}),
}
TYPED = {
    "assess_customer": {
        "years_in_business": 8,
        "qualitative_rating": 3,
        "industry_risk": "medium",
        "override_limit": D("150000.5"),
        "override_grade": "B",
        "override_terms_days": 45,
        "override_reason": "Parent guarantee / 母公司担保",
        "comment": "",
    },
    "revise_application": {"comment": "Added the 2025 statements", "qualitative_rating": 4},
    "review_customer": {
        "recommendation": "decrease",
        "proposed_limit": D(300000),
        "qualitative_rating": 2,
        "comment": "two late payments",
    },
    "legal_review": {"decision": "sue", "comment": "enforcement ruling"},
    **dict.fromkeys(
        APPROVALS, {"decision": "approve", "comment": "ok", "approved_limit": D(90000)}
    ),
    "credit_decision": {
        "decision": "temporary_limit",
        "reason": "seasonal peak",
        "temporary_limit": D(300000),
        "valid_until": date(2026, 3, 31),
    },
    "call_customer": {
        "outcome": "promise_to_pay",
        "notes": "Talked to the CFO / 已与财务总监通话",
        "promise_amount": D("12000.50"),
        "promise_date": date(2026, 4, 1),
    },
    "send_demand_letter": {"sent_on": date(2026, 4, 15), "channel": "courier"},
    "resolve_dispute": {"resolution": "valid", "credit_note_amount": D(300), "comment": "short"},
    **dict.fromkeys(WRITE_OFFS, {"decision": "approve", "comment": "uncollectable"}),
}
REQUIRED = {
    "assess_customer": "qualitative_rating",
    "revise_application": "comment",
    "review_customer": "recommendation",
    "legal_review": "decision",
    **dict.fromkeys(APPROVALS, "decision"),
    "credit_decision": "reason",
    "call_customer": "outcome",
    "send_demand_letter": "sent_on",
    "resolve_dispute": "resolution",
    **dict.fromkeys(WRITE_OFFS, "decision"),
}
# A misspelt field and the field the error suggests instead.
TYPO = {
    "call_customer": ("nots", "notes"),
    "credit_decision": ("reasno", "reason"),
    "send_demand_letter": ("chanel", "channel"),
}


RATING_RANGE = "Must be greater than or equal to 1 and less than or equal to 5."
NOT_NUMBER = "Not a valid number."
NOT_INTEGER = "Not a valid integer."


def errors_of(key: str, data: dict) -> dict[str, list[str]]:
    with pytest.raises(FormInvalid) as caught:
        validate_submission(load_form(key), data)
    return caught.value.errors


def valid_with(key: str, **changes: object) -> dict:
    return {**VALID[key], **changes}


def test_package_re_exports_its_public_api():
    assert {"load_form", "form_schema", "validate_submission", "FORMS_DIR"} <= set(forms.__all__)
    assert FORMS_DIR.joinpath("loader.py").is_file()


def test_every_shipped_form_is_form_js_with_labelled_keyed_components():
    assert sorted(shipped_forms()) == sorted(f"{key}.form.json" for key in SHIPPED)
    for text in shipped_forms().values():
        form = json.loads(text)
        assert form["type"] == "default" and form["schemaVersion"] >= 16
        for component in form["components"]:
            assert {"id", "key", "label", "type"} <= component.keys()


def test_unknown_form_key_names_the_shipped_ones():
    with pytest.raises(FormNotFound, match="assess_customer"):
        load_form("assess_custmer")
    with pytest.raises(FormNotFound):
        load_form("../pyproject")


@pytest.mark.parametrize("key", SHIPPED)
def test_valid_submission_comes_back_typed(key):
    assert validate_submission(load_form(key), VALID[key]) == TYPED[key]


@pytest.mark.parametrize("key", SHIPPED)
def test_missing_required_field_is_named(key):
    data = {k: v for k, v in VALID[key].items() if k != REQUIRED[key]}
    assert errors_of(key, data) == {REQUIRED[key]: ["Missing data for required field."]}


@pytest.mark.parametrize("key", SHIPPED)
def test_unknown_field_is_named_with_a_suggestion(key):
    typo, meant = TYPO.get(key, ("commnet", "comment"))
    errors = errors_of(key, valid_with(key, **{typo: "typo"}))
    assert errors == {typo: [f"Unknown field '{typo}'. Did you mean '{meant}'?"]}


@pytest.mark.parametrize("key", SHIPPED)
def test_optional_fields_accept_null(key):
    schema = form_schema(load_form(key))()
    optional = [name for name, field in schema.fields.items() if not field.required]
    data = valid_with(key, **dict.fromkeys(optional))
    assert validate_submission(load_form(key), data) == {**TYPED[key], **dict.fromkeys(optional)}


@pytest.mark.parametrize(
    ("key", "field", "value", "message"),
    [
        ("assess_customer", "qualitative_rating", "abc", NOT_INTEGER),
        ("assess_customer", "qualitative_rating", 7, RATING_RANGE),
        ("assess_customer", "qualitative_rating", 0, RATING_RANGE),
        ("assess_customer", "qualitative_rating", 2.5, NOT_INTEGER),
        ("assess_customer", "qualitative_rating", True, NOT_INTEGER),
        ("assess_customer", "qualitative_rating", None, "Field may not be null."),
        (
            "assess_customer",
            "years_in_business",
            -1,
            "Must be greater than or equal to 0 and less than or equal to 200.",
        ),
        ("assess_customer", "years_in_business", "1e99999999", "Not a valid integer."),
        (
            "assess_customer",
            "years_in_business",
            10**16,
            "Number too large: at most 1E+15 in absolute value.",
        ),
        ("assess_customer", "override_limit", "abc", NOT_NUMBER),
        ("assess_customer", "override_limit", False, NOT_NUMBER),
        ("assess_customer", "override_limit", -5, "Must be greater than or equal to 0."),
        ("assess_customer", "override_limit", "1.234", "Must have at most 2 decimal places."),
        (
            "assess_customer",
            "override_limit",
            float("nan"),
            "Special numeric values (nan or infinity) are not permitted.",
        ),
        (
            "assess_customer",
            "override_terms_days",
            366,
            "Must be greater than or equal to 0 and less than or equal to 365.",
        ),
        ("assess_customer", "industry_risk", "extreme", "Must be one of: low, medium, high."),
        ("assess_customer", "override_grade", "F", "Must be one of: A, B, C, D, E."),
        ("assess_customer", "comment", 5, "Not a valid string."),
        ("revise_application", "comment", "   ", "Field may not be blank."),
        ("revise_application", "qualitative_rating", 7, RATING_RANGE),
        *[
            (key, "decision", "maybe", "Must be one of: approve, reject, return.")
            for key in APPROVALS
        ],
        *[(key, "approved_limit", "abc", "Not a valid number.") for key in APPROVALS],
        *[(key, "approved_limit", True, "Not a valid number.") for key in APPROVALS],
    ],
)
def test_wrong_value_is_rejected_naming_the_field(key, field, value, message):
    assert errors_of(key, valid_with(key, **{field: value})) == {field: [message]}


@pytest.mark.parametrize("key", APPROVALS)
@pytest.mark.parametrize("decision", ["approve", "reject", "return"])
def test_approval_comment_may_be_omitted_or_empty(key, decision):
    # "reject/return need a comment" is the domain's rule, not the form's.
    assert validate_submission(load_form(key), {"decision": decision}) == {"decision": decision}
    data = {"decision": decision, "comment": ""}
    assert validate_submission(load_form(key), data) == data


def test_revise_application_needs_only_the_comment():
    only_comment = {"comment": "x"}
    assert validate_submission(load_form("revise_application"), only_comment) == only_comment


def test_invalid_error_names_every_bad_field_in_its_detail():
    error = pytest.raises(FormInvalid, validate_submission, load_form("assess_customer"), {"x": 1})
    assert "qualitative_rating" in str(error.value) and "'x'" in str(error.value)


def test_non_object_submission_is_rejected():
    assert errors_of("assess_customer", []) == {"_schema": ["Invalid input type."]}


# --- compiling form-js constructs ---------------------------------------------------------


def form_of(*components: dict) -> dict:
    return {"type": "default", "schemaVersion": 16, "components": list(components)}


def test_schema_is_cached_by_content_not_identity():
    assess = form_schema(load_form("assess_customer"))
    assert assess is form_schema(load_form("assess_customer"))
    assert assess is not form_schema(load_form("revise_application"))


def test_group_children_are_flattened_and_layout_components_ignored():
    form = form_of(
        {"type": "text", "id": "Text_1", "text": "# Heading"},
        {
            "type": "group",
            "id": "Group_1",
            "label": "Dates",
            "components": [
                {
                    "type": "datetime",
                    "id": "F1",
                    "key": "signed_on",
                    "subtype": "date",
                    "validate": {"required": True},
                },
                {"type": "checkbox", "id": "F2", "key": "guaranteed"},
            ],
        },
        {"type": "separator", "id": "Sep_1"},
        {"type": "button", "id": "Submit", "action": "submit", "label": "Submit"},
    )
    assert validate_submission(form, {"signed_on": "2026-03-02", "guaranteed": True}) == {
        "signed_on": date(2026, 3, 2),
        "guaranteed": True,
    }
    with pytest.raises(FormInvalid) as caught:
        validate_submission(form, {"signed_on": "02/03/2026"})
    assert caught.value.errors == {"signed_on": ["Not a valid date."]}


def test_group_with_a_path_and_dynamic_list_nest_their_data():
    child = {"type": "number", "id": "A", "key": "amount", "validate": {"required": True}}
    form = form_of(
        {
            "type": "group",
            "id": "G",
            "path": "bank",
            "components": [{"type": "textfield", "id": "N", "key": "name"}],
        },
        {"type": "dynamiclist", "id": "L", "path": "items", "components": [child]},
    )
    data = {"bank": {"name": "ICBC"}, "items": [{"amount": "1.5"}]}
    assert validate_submission(form, data) == {
        "bank": {"name": "ICBC"},
        "items": [{"amount": D("1.5")}],
    }
    with pytest.raises(FormInvalid) as caught:
        validate_submission(form, {"items": [{"amount": "x"}]})
    assert caught.value.errors == {"items.0.amount": ["Not a valid number."]}


def test_integer_custom_property_and_text_rules():
    form = form_of(
        {"type": "number", "id": "N", "key": "count", "properties": {"integer": "true"}},
        {
            "type": "textfield",
            "id": "T",
            "key": "code",
            "validate": {"minLength": 2, "maxLength": 4, "pattern": "^[A-Z]+$"},
        },
    )
    assert validate_submission(form, {"count": "3", "code": "AB"}) == {"count": 3, "code": "AB"}
    with pytest.raises(FormInvalid) as caught:
        validate_submission(form, {"count": 3.5, "code": "abcde"})
    assert caught.value.errors == {
        "count": ["Not a valid integer."],
        "code": ["Length must be between 2 and 4.", "Must match pattern ^[A-Z]+$."],
    }


@pytest.mark.parametrize(
    ("component", "message"),
    [
        ({"type": "filepicker", "id": "F", "key": "upload"}, "type 'filepicker'"),
        ({"type": "textfield", "id": "F"}, "'F' needs a key"),
        (
            {"type": "textfield", "id": "F", "key": "x", "validate": {"pattern": "("}},
            "invalid pattern",
        ),
        ({"type": "number", "id": "F", "key": "x", "validate": {"min": "low"}}, "not a number"),
    ],
)
def test_unfit_form_is_refused_at_compile_time(component, message):
    with pytest.raises(FormDefinitionError, match=message):
        form_schema(form_of(component))


def test_duplicate_keys_are_refused():
    twice = {"type": "textfield", "id": "F", "key": "x"}
    with pytest.raises(FormDefinitionError, match="key 'x'"):
        form_schema(form_of(twice, {**twice, "id": "G"}))


def test_free_text_is_bounded_and_free_of_control_characters_by_default():
    form = form_of(
        {"type": "textfield", "id": "T", "key": "name"},
        {"type": "textarea", "id": "A", "key": "comment"},
        {"type": "datetime", "id": "D", "key": "on", "subtype": "date"},
    )
    ok = validate_submission(form, {"name": "x" * 255, "comment": "line\nline", "on": "2026-01-05"})
    assert ok["comment"] == "line\nline"
    with pytest.raises(FormInvalid) as caught:
        validate_submission(form, {"name": "x" * 256, "comment": "a\x00b", "on": "0001-01-01"})
    assert set(caught.value.errors) == {"name", "comment", "on"}
    with pytest.raises(FormInvalid) as caught:
        validate_submission(form, {"name": "two\nlines", "comment": "y" * 4001})
    assert set(caught.value.errors) == {"name", "comment"}
