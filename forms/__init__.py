"""Task forms: the shipped form-js schemas and the validation of their submissions."""

from __future__ import annotations

from forms.errors import FormDefinitionError, FormError, FormInvalid, FormNotFound
from forms.loader import FORMS_DIR, load_form, shipped_forms
from forms.schemas import form_schema, validate_submission

__all__ = [
    "FORMS_DIR",
    "FormDefinitionError",
    "FormError",
    "FormInvalid",
    "FormNotFound",
    "form_schema",
    "load_form",
    "shipped_forms",
    "validate_submission",
]
