"""Body checks: JSON that validates against the schema of the operation's response object."""

from jsonschema.exceptions import best_match

from conformance import validation
from conformance.checks.base import Finding, Level, check, expects_json, shorten

MAX_SCHEMA_FINDINGS = 10


@check("body.json", Level.MUST, "Making requests", applies=expects_json)
def body_is_json_object(ex, expect):
    """The response body is one JSON object."""
    if not isinstance(ex.data, dict):
        yield Finding("a JSON object", shorten(ex.response.text) or "(empty body)")


def _has_success_schema(ex) -> bool:
    return ex.ok and ex.media is not None and ex.media.schema is not None and isinstance(ex.data, dict)


@check("body.schema", Level.MUST, "Response objects (schemas/)", applies=_has_success_schema)
def body_matches_schema(ex, expect):
    """A success body validates against the JSON Schema of the operation's response object."""
    media = ex.media  # the operation's schema, or the one its response_format selects
    validator = validation.validator(media.schema, media.item)
    for error in sorted(validator.iter_errors(ex.data), key=lambda e: list(e.absolute_path))[:MAX_SCHEMA_FINDINGS]:
        yield schema_finding(error, media.schema, ex.operation.section)


def schema_finding(error, schema_name: str, section: str = "") -> Finding:
    """A jsonschema error as a finding; for anyOf/oneOf, the most relevant branch's reason."""
    detail = best_match(error.context) if error.context else error
    pointer = "/" + "/".join(str(p) for p in error.absolute_path)
    return Finding(f"{schema_name}: {detail.message if detail is not error else _expected(error)}", shorten(error.instance), pointer, section)


def _expected(error) -> str:
    if error.validator == "required":
        return error.message
    return f"{error.validator} {shorten(error.validator_value, 120)}"
