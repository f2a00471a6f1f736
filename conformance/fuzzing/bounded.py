"""The bounds of conformance/transport.py for generated requests, which schemathesis sends with requests.

requests reads a whole body into memory with only a per-read timeout: an endless stream fills the
memory (measured: 1.9 GB in a minute against tests/hostile.py) and a trickle never ends. This adapter
reads the body as it arrives instead, and stops it past ``max_response_bytes`` or the request timeout,
with the same messages as the suite's own client.

The body is decoded here, once, from its Content-Encoding (urllib3's decoders, as requests would use),
so the bound counts the bytes the checks will read (as the suite's client does: a small gzip body can
hold gigabytes) and a body that is not in its stated coding fails ``http.response`` with the client's words.
"""

from __future__ import annotations

import io
import time

import requests
from requests.adapters import HTTPAdapter
from schemathesis.transport.requests import SameHostRedirectsSession
from urllib3 import HTTPResponse
from urllib3.exceptions import DecodeError, HTTPError, ReadTimeoutError

from conformance.config import Target

_READ = 64 * 1024


class BodyNotComplete(requests.RequestException):
    """Reading stopped at a bound: what the target sent is not a whole answer."""

    def __init__(self, *args, late: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.late = late
        """Stopped by time, not size or coding: the target did not answer in time (it counts for --max-unanswered)."""


class _BoundedAdapter(HTTPAdapter):
    def __init__(self, target: Target) -> None:
        super().__init__()
        self._target = target

    def send(self, request, stream=False, timeout=None, **kwargs):
        started = time.perf_counter()
        # schemathesis asks for stream=True and reads the body itself, whole (an event stream: within the
        # timeout, which on loopback is a gigabyte): so the body is read here, and it reads the copy.
        response = super().send(request, stream=True, timeout=timeout, **kwargs)
        deadline, limit = self._target.request_timeout, self._target.max_response_bytes
        body = bytearray()
        try:
            # read1: whatever has arrived, so a trickle cannot hide behind a read waiting for a full block.
            while chunk := response.raw.read1(_READ, decode_content=True):
                body += chunk
                if len(body) > limit:
                    raise BodyNotComplete(f"the body passed {limit} bytes without ending; stopped reading", request=request, response=response)
                if time.perf_counter() - started > deadline:
                    raise BodyNotComplete(f"the body was still going after {deadline:g} s ({len(body)} bytes); stopped reading", request=request, response=response, late=True)
        except BodyNotComplete:
            response.close()
            raise
        except DecodeError as error:  # bytes arrived, but not in their Content-Encoding: the target's failure
            response.close()
            encoding = response.headers.get("content-encoding", "")
            raise BodyNotComplete(f"the body does not decode as its Content-Encoding {encoding!r} says, after {len(body)} bytes: {error}",
                                  request=request, response=response) from None
        except ReadTimeoutError:
            response.close()
            raise requests.ReadTimeout(f"the body stalled: no byte for {deadline:g} s after {len(body)} bytes", request=request) from None
        except (HTTPError, OSError) as error:  # what requests itself would wrap as a ConnectionError
            response.close()
            raise requests.ConnectionError(f"the connection broke after {len(body)} bytes: {type(error).__name__}: {error}", request=request) from None
        raw = response.raw
        raw.release_conn()  # read to its end: the connection can serve the next request
        # The decoded body, for schemathesis to read as usual; its headers as they came (Content-Encoding and
        # Content-Length included, for the checks and the report), so it must neither be decoded again nor
        # held to a Content-Length that counted the encoded bytes.
        response.raw = copy = HTTPResponse(
            body=io.BytesIO(bytes(body)), headers=raw.headers, status=raw.status, version=raw.version, reason=raw.reason,
            preload_content=False, decode_content=False, enforce_content_length=False, request_method=request.method, request_url=request.url,
        )
        copy.CONTENT_DECODERS = []  # requests asks for decoding whatever decode_content says; this body is decoded already
        return response


def session(target: Target) -> requests.Session:
    """A session like the one schemathesis makes for itself, whose answers are read within the target's bounds."""
    bounded = SameHostRedirectsSession()
    bounded.verify = target.ca_bundle or not target.insecure  # --ca-bundle and --insecure, as for the suite's client
    adapter = _BoundedAdapter(target)
    bounded.mount("http://", adapter)
    bounded.mount("https://", adapter)
    return bounded
