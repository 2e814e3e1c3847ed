"""Servers the benchmarks start as processes of their own (gunicorn through
bin/serve-production, daphne): each in a session of its own, so that a master and its workers are
one process group, started and stopped together. Imported by the scripts next to it."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_logged(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start ``command`` in the project root, its output (both streams) in ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    try:
        return subprocess.Popen(  # noqa: S603  (our own servers, fixed arguments)
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()


def stop_group(proc: subprocess.Popen, timeout: float) -> int:
    """SIGTERM to the process group (graceful), SIGKILL after ``timeout`` seconds; the exit
    status."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            proc.wait()
    return proc.returncode
