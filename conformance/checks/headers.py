"""Response header checks that apply to every exchange ("Debugging requests", "Rate limiting information").

Levels. The real API sends every header below; most compatible servers send none of the
``openai-*`` and ``x-ratelimit-*`` ones, and no client breaks without them. So:

- a header's *absence* is ``should`` (x-request-id; openai-processing-ms and openai-version;
  openai-organization when the request named one; x-ratelimit-* on answers that used tokens);
  a profile with ``strict_headers = true`` makes these ``must`` (conformance/profile.py
  STRICT_HEADERS), for the real API and servers that mean to match it;
- a header *present but malformed* is ``must``: a client that parses it breaks (openai-processing-ms
  not an integer, openai-version not a date, x-ratelimit-* not integers/durations), and so is a
  repeated x-request-id, which misleads whoever looks a request up by it;
- a 429 without x-ratelimit-* (or with a retry-after that is not seconds or a date) is ``must``:
  a rate-limited client has nothing else to back off by.

Content-Type: application/json on JSON bodies is ``must`` (http.content-type).
"""

import datetime
import email.utils
import re

from conformance.checks.base import Finding, Level, check

DEBUGGING = "Debugging requests"
RATE_LIMITING = "Debugging requests > Rate limiting information"

COUNTS = ("x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens")
RESETS = ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")
RATE_LIMIT_HEADERS = COUNTS + RESETS
META_HEADERS = ("openai-processing-ms", "openai-version")

# Go's time.Duration notation, which the real API uses: "1s", "6m0s", "20ms", "1h2m3.5s", "0s".
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|μs|ns))+")
_INTEGER = re.compile(r"\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _answered(ex) -> bool:
    """An HTTP answer: not the 101 that opens a WebSocket session, where the reference documents none of these headers,
    nor the answer to one event on it (``Exchange.turn``), which has none."""
    return ex.response is not None and not (ex.socket is not None and (ex.ok or ex.turn is not None))


def _header(ex, name: str) -> str | None:
    return ex.header(name)


@check("headers.request-id", Level.SHOULD, DEBUGGING, applies=_answered)
def request_id(ex, expect):
    """Every response carries a non-empty x-request-id (used in troubleshooting)."""
    if not ex.request_id:
        yield Finding("an x-request-id header", "(absent)", "header:x-request-id")


@check("headers.request-id-unique", Level.MUST, DEBUGGING, applies=lambda ex: bool(ex.request_id) and ex.history is not None)
def request_id_unique(ex, expect):
    """The x-request-id differs on every response: it identifies this request (compared within one test process)."""
    if earlier := ex.history.earlier("x-request-id", ex.request_id, ex.request, ex.description):
        yield Finding("an x-request-id no earlier response carried", f"{ex.request_id!r}, as on the response to {earlier}", "header:x-request-id")


@check("headers.meta-present", Level.SHOULD, DEBUGGING, applies=_answered)
def meta_present(ex, expect):
    """Every response carries openai-processing-ms and openai-version."""
    for name in META_HEADERS:
        if _header(ex, name) is None:
            yield Finding(f"an {name} header", "(absent)", f"header:{name}")


@check("headers.processing-ms", Level.MUST, DEBUGGING, applies=lambda ex: _answered(ex) and _header(ex, "openai-processing-ms") is not None)
def processing_ms(ex, expect):
    """openai-processing-ms, when sent, is a whole number of milliseconds."""
    value = _header(ex, "openai-processing-ms")
    if not _INTEGER.fullmatch(value.strip()):
        yield Finding("a non-negative integer (milliseconds)", repr(value), "header:openai-processing-ms")


@check("headers.openai-version", Level.MUST, DEBUGGING, applies=lambda ex: _answered(ex) and _header(ex, "openai-version") is not None)
def openai_version(ex, expect):
    """openai-version, when sent, is a date YYYY-MM-DD (2020-10-01 on the real API)."""
    value = _header(ex, "openai-version").strip()
    if not (_DATE.fullmatch(value) and _is_date(value)):
        yield Finding("a date YYYY-MM-DD, e.g. 2020-10-01", repr(value), "header:openai-version")


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _names_organization(ex) -> bool:
    return _answered(ex) and bool(ex.request.headers.get("openai-organization"))


@check("headers.organization", Level.SHOULD, DEBUGGING, applies=_names_organization)
def organization(ex, expect):
    """A request that names an OpenAI-Organization gets openai-organization back (the organization it counted against)."""
    # Only presence: the real API answers with the organization's name, not the id that was sent.
    if not (_header(ex, "openai-organization") or "").strip():
        yield Finding("an openai-organization header", "(absent)", "header:openai-organization")


def _used_tokens(ex) -> bool:
    """A success that reports token usage: what the token limits count, so its answer says where they stand."""
    # Not every answer: whether the real API sends rate limits on listings or object CRUD is not documented.
    return ex.ok and isinstance(ex.data, dict) and isinstance(ex.data.get("usage"), dict)


@check("headers.rate-limits-present", Level.SHOULD, RATE_LIMITING, applies=_used_tokens)
def rate_limits_present(ex, expect):
    """A success that used tokens (reports usage) carries the six x-ratelimit-* headers."""
    for name in RATE_LIMIT_HEADERS:
        if _header(ex, name) is None:
            yield Finding(f"an {name} header", "(absent)", f"header:{name}")


@check("headers.rate-limits", Level.MUST, RATE_LIMITING, applies=lambda ex: _answered(ex) and any(_header(ex, n) is not None for n in RATE_LIMIT_HEADERS))
def rate_limits_well_formed(ex, expect):
    """x-ratelimit-limit-*/remaining-* are non-negative integers, x-ratelimit-reset-* durations such as 1s, 6m0s, 20ms."""
    for name in RATE_LIMIT_HEADERS:
        value = _header(ex, name)
        if value is None:
            continue  # other x-ratelimit-* headers (new limits) are allowed and not checked
        if name in COUNTS and not _INTEGER.fullmatch(value.strip()):
            yield Finding("a non-negative integer", repr(value), f"header:{name}")
        elif name in RESETS and not _DURATION.fullmatch(value.strip()):
            yield Finding("a duration such as 1s, 6m0s, 20ms or 1h2m3.5s", repr(value), f"header:{name}")


@check("headers.rate-limited", Level.MUST, RATE_LIMITING, applies=lambda ex: ex.status == 429)
def rate_limited(ex, expect):
    """A 429 carries the six x-ratelimit-* headers, and retry-after (when given) in seconds or as an HTTP date."""
    for name in RATE_LIMIT_HEADERS:
        if _header(ex, name) is None:
            yield Finding(f"an {name} header on the 429", "(absent)", f"header:{name}")
    retry_after = _header(ex, "retry-after")
    if retry_after is not None and not (_INTEGER.fullmatch(retry_after.strip()) or _is_http_date(retry_after)):
        yield Finding("retry-after as whole seconds or an HTTP date (RFC 9110)", repr(retry_after), "header:retry-after")
    retry_after_ms = _header(ex, "retry-after-ms")
    if retry_after_ms is not None and not re.fullmatch(r"\d+(?:\.\d+)?", retry_after_ms.strip()):
        yield Finding("retry-after-ms as a non-negative number of milliseconds", repr(retry_after_ms), "header:retry-after-ms")


def _is_http_date(text: str) -> bool:
    try:
        return email.utils.parsedate_to_datetime(text) is not None
    except (TypeError, ValueError):
        return False
