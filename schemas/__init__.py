"""JSON Schemas (2020-12) of the API's response objects, one file per object; see conformance.validation."""
