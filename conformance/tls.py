"""How the suite trusts an https target: the system's trust store, a CA bundle, or (asked for) not at all.

httpx trusts certifi's bundle by default; a CI gate usually runs against a server whose certificate
comes from the organisation's own authority, installed in the system store, so the system store comes
first here. certifi remains for a Python without one (python.org builds on macOS).
"""

from __future__ import annotations

import ssl

import certifi


class BadBundle(Exception):
    """The --ca-bundle file is missing or holds no certificate."""


def verification(ca_bundle: str | None, insecure: bool) -> ssl.SSLContext | bool:
    """What httpx's ``verify`` gets."""
    if insecure:
        return False
    if ca_bundle is not None:
        try:
            return ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise BadBundle(f"--ca-bundle {ca_bundle!r} cannot be read as PEM certificates: {error}") from None
    paths = ssl.get_default_verify_paths()  # honours SSL_CERT_FILE and SSL_CERT_DIR
    if paths.cafile or paths.capath:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    """``verification``'s answer as an SSL context, for a client that takes no ``False`` (the WebSocket client)."""
    if verify is not False:
        return verify
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    return unverified


def describe(ca_bundle: str | None, insecure: bool) -> str:
    """For the reports: how the target's certificate was checked."""
    if insecure:
        return "not verified (--insecure)"
    return f"verified with --ca-bundle {ca_bundle}" if ca_bundle else "verified with the system's trust store"
