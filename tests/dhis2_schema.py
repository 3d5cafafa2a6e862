"""The DHIS2 payloads checked against JSON Schemas written from DHIS2's documentation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def validate_data_value_set(payload: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``payload`` is a dataValueSets import."""
    schema = json.loads((SCHEMAS / "dhis2_data_value_set.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(payload, schema, cls=jsonschema.Draft202012Validator)


def validate_metadata(payload: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``payload`` is a metadata import."""
    schema = json.loads((SCHEMAS / "dhis2_metadata.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(payload, schema, cls=jsonschema.Draft202012Validator)
