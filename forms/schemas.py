"""Compile @bpmn-io/form-js schemas into marshmallow schemas that check task submissions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from forms.errors import FormDefinitionError, FormInvalid
from forms.fields import MONEY_PLACES, NOT_A_NUMBER, Day, Money, Number, PlainText

LAYOUT = frozenset("text spacer button separator html image iframe table documentPreview".split())
DATETIME_FIELDS = {"date": Day, "datetime": fields.DateTime, "time": fields.Time}
# Free text without a declared maxLength: a line, or a few pages.
TEXT_MAX = {"textfield": 255, "textarea": 4000}


class FormSchema(Schema):
    """Base of every compiled form: a field the form does not declare is an error."""

    class Meta:
        unknown = RAISE
        register = False  # compiled per content; keep them out of marshmallow's class registry


class WholeNumber(Number):
    """An integer from an int, an integral number or a numeral string; 2.5 is an error."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            number = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            if exc.messages != [NOT_A_NUMBER]:
                raise
            number = None
        if number is None or number != number.to_integral_value():
            raise ValidationError("Not a valid integer.")
        return int(number)


def form_schema(form: dict[str, Any]) -> type[Schema]:
    """Return the marshmallow schema of a form-js schema; raise FormDefinitionError if unfit."""
    return _compile(json.dumps(form, sort_keys=True, ensure_ascii=False, default=str))


def validate_submission(form: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Return `data` checked against `form` and typed (Decimal, int, date); raise FormInvalid."""
    schema = form_schema(form)()
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise FormInvalid.from_messages(exc.messages, sorted(schema.fields)) from exc


@lru_cache(maxsize=256)
def _compile(text: str) -> type[Schema]:
    form = json.loads(text)
    if not isinstance(form, dict) or not isinstance(form.get("components"), list):
        raise FormDefinitionError("A form-js schema needs a 'components' list.")
    return _schema(form["components"], str(form.get("id") or "Form"))


def _schema(components: list[Any], name: str) -> type[Schema]:
    return FormSchema.from_dict(_fields(components), name=name)


def _fields(components: list[Any]) -> dict[str, fields.Field]:
    found: dict[str, fields.Field] = {}
    for component in components:
        if not isinstance(component, dict):
            raise FormDefinitionError(f"Every component must be an object, not {component!r}.")
        kind = component.get("type")
        if kind in LAYOUT:
            continue
        if kind == "group" and not component.get("path"):
            compiled = _fields(component.get("components") or [])
        else:
            attribute = "path" if kind in ("group", "dynamiclist") else "key"
            if not isinstance(component.get(attribute), str) or not component[attribute]:
                raise FormDefinitionError(f"Component {component.get('id')!r} needs a {attribute}.")
            compiled = {component[attribute]: _field(component, kind)}
        for name, field in compiled.items():
            if name in found:
                raise FormDefinitionError(f"Two components use the key {name!r}; make keys unique.")
            found[name] = field
    return found


def _field(component: dict[str, Any], kind: Any) -> fields.Field:
    rules = component.get("validate") or {}
    # A hidden-by-condition or disabled field is not submitted by form-js; FEEL is not ours to run.
    hidden = component.get("conditional") or component.get("disabled")
    required = bool(rules.get("required")) and not hidden
    options: dict[str, Any] = {"required": required, "allow_none": not required}
    if kind in ("textfield", "textarea"):
        declared = _literal(rules.get("maxLength")) is not None  # then _text_rules bounds it
        return PlainText(
            max_length=None if declared else TEXT_MAX[kind],
            multiline=kind == "textarea",
            validate=_text_rules(component, rules, required),
            **options,
        )
    if kind == "number":
        return _number(component, rules, options)
    if kind == "checkbox":
        must_check = [validate.Equal(True, error="Must be checked.")] if required else []
        return fields.Boolean(validate=must_check, **options)
    if kind in ("select", "radio"):
        return _choice(component, options)
    if kind in ("checklist", "taglist"):
        at_least_one = [validate.Length(min=1)] if required else []
        return fields.List(_choice(component, {}), validate=at_least_one, **options)
    if kind == "datetime":
        return DATETIME_FIELDS.get(component.get("subtype"), Day)(**options)
    if kind == "group":
        return fields.Nested(_schema(component.get("components") or [], "Group"), allow_none=True)
    if kind == "dynamiclist":
        item = fields.Nested(_schema(component.get("components") or [], "Item"))
        return fields.List(item, allow_none=True)
    supported = "textfield, textarea, number, checkbox, select, radio, checklist, taglist, datetime"
    raise FormDefinitionError(
        f"Component {component.get('key')!r} has type {kind!r}; use one of: {supported}."
    )


def _text_rules(component: dict[str, Any], rules: dict[str, Any], required: bool) -> list[Any]:
    checks: list[Any] = [_not_blank] if required else []
    low, high = _literal(rules.get("minLength")), _literal(rules.get("maxLength"))
    if low is not None or high is not None:
        checks.append(validate.Length(min=low, max=high))
    if rules.get("pattern"):
        message = rules.get("patternErrorMessage")
        checks.append(_pattern(component.get("key"), rules["pattern"], message))
    if rules.get("validationType") == "email":
        checks.append(validate.Email())
    return checks


def _number(component: dict[str, Any], rules: dict[str, Any], options: dict) -> fields.Field:
    digits = component.get("decimalDigits")
    whole = digits == 0 or str((component.get("properties") or {}).get("integer")).lower() == "true"
    checks: list[Any] = []
    low, high = _literal(rules.get("min")), _literal(rules.get("max"))
    if low is not None or high is not None:
        checks.append(validate.Range(min=low, max=high))
    if whole:
        return WholeNumber(validate=checks, **options)
    if digits == MONEY_PLACES:  # an amount of money: the shared Money field, bounds and all
        return Money(validate=checks, **options)
    places = digits if isinstance(digits, int) and digits > 0 else None
    return Number(places=places, validate=checks, **options)


def _choice(component: dict[str, Any], options: dict[str, Any]) -> fields.Field:
    values = component.get("values")
    if not isinstance(values, list):  # options come from valuesKey / valuesExpression at run time
        return fields.String(**options)
    choices = [value.get("value") for value in values if isinstance(value, dict)]
    kind = fields.String if all(isinstance(choice, str) for choice in choices) else fields.Raw
    return kind(validate=validate.OneOf(choices), **options)


def _literal(bound: Any) -> Decimal | None:  # None when absent or a FEEL expression ("=...")
    if bound is None or isinstance(bound, bool) or (isinstance(bound, str) and bound[:1] == "="):
        return None
    try:
        return Decimal(str(bound))
    except InvalidOperation:
        raise FormDefinitionError(f"Bound {bound!r} is not a number.") from None


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Field may not be blank.")


def _pattern(key: Any, pattern: str, message: str | None) -> Callable[[str], None]:
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise FormDefinitionError(f"Field {key!r}: invalid pattern {pattern!r}: {exc}.") from None

    def check(value: str) -> None:
        if value and not regex.search(value):  # form-js tests with RegExp.test: unanchored
            raise ValidationError(message or f"Must match pattern {pattern}.")

    return check
