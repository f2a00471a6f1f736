"""A server may close a kept-alive connection when the next request arrives (RFC 9112 9.3): legal.

Found on the LiteLLM proxy (docs/targets.md): after some error answers it closes the connection
without `Connection: close`, and the next request on it was reset, so a failure of http.response
landed on whichever case came next. The client resends once on a fresh connection, as curl and the
OpenAI SDK do; a server that resets every attempt still fails.
"""

import socket
import threading

from conformance.config import Target
from conformance.transport import Client
from tests.hostile import accept_loop

ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


def serve(answers_per_connection: int) -> tuple[str, threading.Event]:
    """A loopback server that answers this many requests on a connection, then drops it at the next one."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            for answered in range(answers_per_connection + 1):
                if not conn.recv(65536):
                    return
                if answered == answers_per_connection:
                    return  # drop the connection under the request, without an answer
                conn.sendall(ANSWER)

    threading.Thread(target=accept_loop, args=(listener, handle, stop), daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/v1", stop


def test_a_connection_closed_under_the_next_request_is_not_a_failure():
    url, stop = serve(answers_per_connection=1)
    client = Client(Target(base_url=url, api_key="k", request_timeout=5), url)
    try:
        exchanges = [client.request("GET", "/models") for _ in range(3)]
        streamed = client.stream("POST", "/chat/completions", json={})
    finally:
        client.close()
        stop.set()
    assert [(e.transport_error, e.response.status_code) for e in exchanges] == [(None, 200)] * 3
    assert streamed.transport_error is None and streamed.response.status_code == 200


def test_a_server_that_never_answers_still_fails():
    url, stop = serve(answers_per_connection=0)
    client = Client(Target(base_url=url, api_key="k", request_timeout=5), url)
    try:
        exchange = client.request("GET", "/models")
    finally:
        client.close()
        stop.set()
    assert exchange.response is None and "disconnected" in exchange.transport_error
