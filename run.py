#!/usr/bin/env python3
"""PatientCare's two commands: ``python3 run.py demo`` and ``python3 run.py test``.

Needs nothing but Python 3.11: it creates ``.venv`` beside this file, installs the pinned
dependencies from pyproject.toml into it (again only when pyproject.toml changes), then

* ``demo``  migrates, loads the synthetic demo data once, prints the URL and the demo logins and
  serves on http://127.0.0.1:8000 (``--port N`` for another port, ``--no-serve`` to stop after
  loading), running the periodic timer sweeps in the same process (``manage.py run_timers``);
* ``test``  runs the whole pytest suite; any further arguments go to pytest.

Configuration comes from the environment (see docs/operations/configuration.md); with none set
the embedded default is used: a SQLite file under var/, an in-memory channel layer and Celery in
eager mode.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".patientcare-deps"
WANTED = (3, 11)


def _ensure_python() -> None:
    """Re-run under Python 3.11 when started by another interpreter."""
    if sys.version_info[:2] == WANTED:
        return
    name = "python{}.{}".format(*WANTED)
    found = shutil.which(name)
    if found and os.environ.get("PATIENTCARE_REEXEC") != "1":
        os.environ["PATIENTCARE_REEXEC"] = "1"
        os.execv(found, [found, __file__, *sys.argv[1:]])  # noqa: S606 - re-exec ourselves
    sys.exit(f"PatientCare needs Python {WANTED[0]}.{WANTED[1]}; this is {sys.version.split()[0]}.")


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def _ensure_environment() -> Path:
    requirements = _requirements()
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    python = _venv_python()
    if not python.exists():
        print("Creating the virtual environment in .venv …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("Installing the pinned dependencies (first run only) …", flush=True)
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", *requirements], check=True)  # noqa: S603
        STAMP.write_text(digest)
    return python


def _manage(python: Path, *args: str) -> None:
    subprocess.run([str(python), str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)  # noqa: S603


def demo(python: Path, args: list[str]) -> int:
    port = "8000"
    serve = True
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--port" and rest:
            port = rest.pop(0)
        elif arg == "--no-serve":
            serve = False
        else:
            sys.exit(f"run.py demo: unknown argument {arg!r} (use --port N or --no-serve)")
    (ROOT / "var").mkdir(exist_ok=True)
    _manage(python, "migrate", "--no-input", "-v", "0")
    _manage(python, "load_demo_data")
    print(f"\nPatientCare demo: http://127.0.0.1:{port}/", flush=True)  # redirects to the admin
    if not serve:
        return 0
    os.chdir(ROOT)
    # Passkeys need a host name, not an IP address: the same server as http://localhost:PORT.
    if not os.environ.get("MFA_PASSKEY_RP_ID") and not os.environ.get("MFA_PASSKEY_ORIGINS"):
        os.environ["MFA_PASSKEY_ORIGINS"] = f"http://localhost:{port}"
        print(f"Passkeys (second factor): open http://localhost:{port}/ instead", flush=True)
    # The server (runserver, daphne) with the periodic tasks beside it in the same process — the
    # embedded default has no Celery beat: re-escalation, SLA warnings and breaches, webhook
    # retries every minute. One process, so their live-queue events reach the in-memory channel
    # layer the browsers listen on (escalations/management/commands/run_timers.py).
    command = [str(python), "manage.py", "run_timers", "--serve", f"127.0.0.1:{port}"]
    os.execv(str(python), command)  # noqa: S606 - hand the terminal to the server
    return 0  # pragma: no cover


def test(python: Path, args: list[str]) -> int:
    result = subprocess.run([str(python), "-m", "pytest", *args], cwd=ROOT)  # noqa: S603
    return result.returncode


def main() -> int:
    _ensure_python()
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    python = _ensure_environment()
    command, args = sys.argv[1], sys.argv[2:]
    if command == "setup":  # used by .ci/run: the environment only
        return 0
    return demo(python, args) if command == "demo" else test(python, args)


if __name__ == "__main__":
    sys.exit(main())
