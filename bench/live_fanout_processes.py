"""The other processes of bench/live_fanout.py: the ASGI servers (daphne on free loopback ports,
their health, their CPU seconds) and the WebSocket clients (a process of their own, autobahn's
asyncio client). Imported by that script."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from servers import start_logged, stop_group

ROOT = Path(__file__).resolve().parent.parent
SERVER_LOG = ROOT / "var" / "bench" / "live_fanout_server.log"
LIVE_PATH = "/ws/console/live/"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int, n: int) -> subprocess.Popen:
    daphne = ROOT / ".venv" / "bin" / "daphne"
    command = [str(daphne)] if daphne.exists() else [sys.executable, "-m", "daphne"]
    command += ["-b", "127.0.0.1", "-p", str(port), "patientcare.asgi:application"]
    return start_logged(command, env, SERVER_LOG.with_name(f"{SERVER_LOG.stem}_{n}.log"))


def stop_server(proc: subprocess.Popen) -> None:
    stop_group(proc, timeout=20)


def wait_for_health(proc: subprocess.Popen, port: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.25)
    raise RuntimeError(f"/healthz did not answer 200 within {seconds:.0f}s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_process(ports: list[int], cookie_name: str, keys: list[str], conn) -> None:
    asyncio.run(_clients(ports, cookie_name, keys, conn))


async def _clients(ports: list[int], cookie_name: str, keys: list[str], conn) -> None:
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    loop = asyncio.get_running_loop()

    class Client(WebSocketClientProtocol):
        def __init__(self) -> None:
            super().__init__()
            self.frames: list[tuple[int, bytes]] = []
            self.ready = loop.create_future()
            self.close_code = None

        def onMessage(self, payload, is_binary):  # autobahn's names
            self.frames.append((time.time_ns(), payload))  # parsed later: stamp first
            if not self.ready.done() and b'"type": "snapshot"' in payload[:40]:
                self.ready.set_result(True)

        def onClose(self, was_clean, code, reason):
            self.close_code = code
            if not self.ready.done():
                self.ready.set_exception(RuntimeError(f"closed {code} {reason}"))

    clients: list[Client] = []

    async def open_one(n: int, key: str) -> None:
        port = ports[n % len(ports)]  # as a proxy spreads sockets over the ASGI processes
        factory = WebSocketClientFactory(
            f"ws://127.0.0.1:{port}{LIVE_PATH}",
            origin=f"http://127.0.0.1:{port}",
            headers={"Cookie": f"{cookie_name}={key}"},
        )
        factory.protocol = Client
        # autobahn validates incoming UTF-8 in pure Python, byte by byte: the clients would
        # measure themselves. The server's frames are Django's JSON (valid UTF-8) anyway.
        factory.setProtocolOptions(utf8validateIncoming=False)
        _, protocol = await loop.create_connection(factory, "127.0.0.1", port)
        await asyncio.wait_for(protocol.ready, 30)
        clients.append(protocol)

    started = time.monotonic()
    for start in range(0, len(keys), 20):  # 20 handshakes at a time
        batch = range(start, min(start + 20, len(keys)))
        await asyncio.gather(*(open_one(n, keys[n]) for n in batch))
    conn.send({"connected": len(clients), "seconds": time.monotonic() - started})

    await loop.run_in_executor(None, conn.recv)  # "stop"
    results = []
    for client in clients:
        received, other = [], {}
        for stamp, payload in client.frames:
            message = json.loads(payload)
            if message["type"] == "event":
                received.append((message["case_id"], message["event"], message["seq"], stamp))
            else:
                other[message["type"]] = other.get(message["type"], 0) + 1
        results.append({"events": received, "other": other, "closed": client.close_code})
    for client in clients:
        client.sendClose()
    conn.send(results)
    await asyncio.sleep(0.5)
