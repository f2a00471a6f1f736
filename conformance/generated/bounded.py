"""The bounds of conformance/transport.py for generated requests, which schemathesis sends with requests.

requests reads a whole body into memory with only a per-read timeout: an endless stream fills the
memory (measured: 1.9 GB in a minute against tests/hostile.py) and a trickle never ends. This adapter
reads the body as it arrives instead, and stops it past ``max_response_bytes`` or the request timeout,
with the same messages as the suite's own client.
"""

from __future__ import annotations

import io
import time

import requests
from requests.adapters import HTTPAdapter
from schemathesis.transport.requests import SameHostRedirectsSession
from urllib3 import HTTPResponse
from urllib3.exceptions import HTTPError, ReadTimeoutError

from conformance.config import Target

_READ = 64 * 1024


class BodyNotComplete(requests.RequestException):
    """Reading stopped at a bound: what the target sent is not a whole answer."""


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
            while chunk := response.raw.read1(_READ, decode_content=False):
                body += chunk
                if len(body) > limit:
                    raise BodyNotComplete(f"the body passed {limit} bytes without ending; stopped reading", request=request, response=response)
                if time.perf_counter() - started > deadline:
                    raise BodyNotComplete(f"the body was still going after {deadline:g} s ({len(body)} bytes); stopped reading", request=request, response=response)
        except BodyNotComplete:
            response.close()
            raise
        except ReadTimeoutError:
            response.close()
            raise requests.ReadTimeout(f"the body stalled: no byte for {deadline:g} s after {len(body)} bytes", request=request) from None
        except (HTTPError, OSError) as error:  # what requests itself would wrap as a ConnectionError
            response.close()
            raise requests.ConnectionError(f"the connection broke after {len(body)} bytes: {type(error).__name__}: {error}", request=request) from None
        raw = response.raw
        raw.release_conn()  # read to its end: the connection can serve the next request
        # The bytes as they came (still in their Content-Encoding), for schemathesis to read as usual.
        response.raw = HTTPResponse(
            body=io.BytesIO(bytes(body)), headers=raw.headers, status=raw.status, version=raw.version, reason=raw.reason,
            preload_content=False, decode_content=raw.decode_content, request_method=request.method, request_url=request.url,
        )
        return response


def session(target: Target) -> requests.Session:
    """A session like the one schemathesis makes for itself, whose answers are read within the target's bounds."""
    bounded = SameHostRedirectsSession()
    bounded.verify = target.ca_bundle or not target.insecure  # --ca-bundle and --insecure, as for the suite's client
    adapter = _BoundedAdapter(target)
    bounded.mount("http://", adapter)
    bounded.mount("https://", adapter)
    return bounded
