"""https targets: the system's trust store, a CA bundle (--ca-bundle), or no verification only when asked (--insecure)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from conformance import config
from conformance.config import Target
from conformance.transport import Client
from tests.conftest import KEY, run_cases
from tests.hostile import HostileServer

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="makes its certificates with the openssl command")


def openssl(directory: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def authority(tmp_path_factory) -> Path:
    """A throwaway certificate authority and a certificate for 127.0.0.1 that it signed."""
    d = tmp_path_factory.mktemp("tls")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl(d, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=openai-conformance test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    openssl(d, "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl(d, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext")
    return d


@pytest.fixture(scope="module")
def https_url(authority) -> str:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(authority / "server.pem", authority / "server.key")
    server = HostileServer(tls=context).start()
    yield server.url("ok")
    server.stop()


def models(url: str, **tls) -> object:
    client = Client(Target(base_url=url, api_key=KEY, request_timeout=5, **tls), url)
    try:
        return client.request("GET", "/models")
    finally:
        client.close()


def test_a_certificate_from_an_unknown_authority_fails_readably(https_url):
    exchange = models(https_url)
    assert exchange.response is None and "CERTIFICATE_VERIFY_FAILED" in exchange.transport_error


def test_ca_bundle(https_url, authority):
    assert models(https_url, ca_bundle=str(authority / "ca.pem")).status == 200


def test_the_system_trust_store_is_used(https_url, authority, monkeypatch):
    # OpenSSL's default paths are the system's store; SSL_CERT_FILE points them at our authority.
    monkeypatch.setenv("SSL_CERT_FILE", str(authority / "ca.pem"))
    assert models(https_url).status == 200


def test_insecure_is_explicit_and_reported(https_url, tmp_path):
    assert models(https_url, insecure=True).status == 200
    _, results = run_cases(tmp_path, https_url, "-k", "test_list_models", "--insecure")
    assert results["target"]["tls"] == "not verified (--insecure)"
    assert results["cases"][0]["status"] == "pass"


@pytest.mark.parametrize(
    "values, message",
    [
        ({"ca_bundle": "/no/such/bundle.pem"}, "--ca-bundle '/no/such/bundle.pem' cannot be read"),
        ({"ca_bundle": "ca.pem", "insecure": True}, "--insecure and --ca-bundle contradict each other"),
    ],
)
def test_bad_tls_options_are_configuration_errors(values, message):
    with pytest.raises(config.ConfigError, match=message):
        config.resolve({"base_url": "https://127.0.0.1/v1", "api_key": KEY, **values})
