"""The server side of bench/partner_intake.py: the production server script (bin/serve-production,
gunicorn) started with the production settings on a free loopback port, its health and its worker
processes, and stopping it. Imported by that script."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import time
from pathlib import Path

from servers import start_logged, stop_group

ROOT = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = ROOT / "bin" / "serve-production"
SERVER_LOG = ROOT / "var" / "bench" / "partner_intake_server.log"
# Redis key prefixes of the server (cache and channel layer): apart from anyone else's keys.
REDIS_PREFIX = "patientcare-bench-intake"
# High enough never to throttle the bench; the throttle still counts every request in Redis.
RATE_PER_MINUTE = 1_000_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def usable_cpus() -> int:
    """What ``nproc`` counts, as bin/serve-production does (the CPUs this process may use)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def server_environment(args, port: int) -> dict[str, str]:
    # The script's defaults and the production defaults, whatever this shell has set.
    dropped = {"DEBUG", "DATABASE_CONN_MAX_AGE", "CELERY_TASK_ALWAYS_EAGER", "CACHE_REDIS_URL"}
    env = {
        **{
            k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("GUNICORN")
        },
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters, new every run
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": REDIS_PREFIX,
        "CHANNEL_LAYER_PREFIX": REDIS_PREFIX,
        "API_RATE_PER_MINUTE": str(RATE_PER_MINUTE),
        # Plain HTTP on loopback, no proxy to set X-Forwarded-Proto: no redirect to https.
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    if args.workers is not None:
        env["GUNICORN_WORKERS"] = str(args.workers)
    return env


def start_server(env: dict[str, str]) -> subprocess.Popen:
    return start_logged([str(SERVER_SCRIPT)], env, SERVER_LOG)


def stop_server(proc: subprocess.Popen) -> int:
    """SIGTERM to the server's process group (graceful), SIGKILL after 40 s."""
    return stop_group(proc, timeout=40)


def log_tail(lines: int = 30) -> str:
    try:
        return "\n".join(SERVER_LOG.read_text().splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def wait_for_health(proc: subprocess.Popen, port: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            body = response.read()
            # {"status": "ok"} and, since /healthz names them, each dependency's state
            if response.status == 200 and json.loads(body).get("status") == "ok":
                return
            last = f"{response.status} {body[:80]!r}"
        except (OSError, http.client.HTTPException, ValueError) as exc:
            last = type(exc).__name__
        finally:
            conn.close()
        time.sleep(0.25)
    raise RuntimeError(f"/healthz did not answer 200 within {seconds:.0f}s (last: {last})")


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's child processes (Linux /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            children.append(int(entry.name))
    return sorted(children)


def wait_for_workers(proc: subprocess.Popen, expected: int, seconds: float = 30.0) -> list[int]:
    deadline = time.monotonic() + seconds
    pids = worker_pids(proc.pid)
    while len(pids) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
        pids = worker_pids(proc.pid)
    return pids
