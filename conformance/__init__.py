"""openai-conformance: contract and conformance tests for the OpenAI HTTP API."""

__version__ = "0.1.0"
