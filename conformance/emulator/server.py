"""Running the emulator: in a background thread for the suite, or in the foreground for `serve`."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection

import uvicorn

from conformance.emulator.app import create_app

WEBSOCKETS = "websockets-sansio"
"""uvicorn's WebSocket protocol on the websockets package the suite's client uses (its legacy one is deprecated)."""


class EmbeddedServer:
    """The emulator on a free 127.0.0.1 port, in a daemon thread of this process."""

    def __init__(self, api_key: str | None = None, capabilities: Collection[str] | None = None) -> None:
        self.app = create_app(api_key, capabilities)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=1, ws=WEBSOCKETS)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="conformance-emulator", daemon=True)

    @property
    def store(self):
        """What clients created on it, for tests that check what a run leaves behind where the API lists nothing (responses)."""
        app = self.app
        while not hasattr(app, "state"):  # inside the fault and variant gateways
            app = app.app
        return app.state.store

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns the base URL (ending in /v1)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the embedded emulator did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def serve(port: int, api_key: str | None, host: str = "127.0.0.1", capabilities: Collection[str] | None = None) -> None:
    _Announced(uvicorn.Config(create_app(api_key, capabilities), host=host, port=port, log_level="info", lifespan="off", ws=WEBSOCKETS)).run()


class _Announced(uvicorn.Server):
    """Prints the base URL to give the suite, /v1 included, once it listens (uvicorn's own line has no /v1)."""

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
            print(f"openai-conformance: the emulator serves {base}/v1 (faults: {base}/fault/<name>/v1; list: openai-conformance checks)", flush=True)
