"""CI's dependency audit (docs/operations/dependencies.md): pip-audit against the pinned list.

Writes the pins ``run.py`` installs (pyproject.toml's dependencies and dev extras) to
var/ci/requirements.txt and asks pip-audit's default service (PyPI's JSON API) about each exact
version, without installing anything (``--no-deps --disable-pip``: every pin is ``==``).

Exit 1 when a pinned version has a known vulnerability (listed with its fix versions) or pip-audit
fails for any other reason than the network. Exit 0 with a visible ``WARNING: pip-audit skipped:
…`` when the service cannot be reached or answers for none of the pins (a registry mirror without
the JSON API, a firewall, a timeout), so an offline machine's CI goes on and says so.

Usage: ``.venv/bin/python .ci/audit_dependencies.py [--requirements FILE] [--timeout SECONDS]``;
``PIP_AUDIT`` names another pip-audit executable.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "ci"
# What pip-audit and requests print when the service cannot be reached or fails on its side.
NETWORK_ERRORS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "ProxyError",
    "SSLError",
    "ServiceError",
    "Max retries exceeded",
    "Could not connect",
    "Name or service not known",
    "Temporary failure in name resolution",
    "Connection refused",
    "Network is unreachable",
)


def pinned_requirements() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from run import _requirements  # the list run.py installs: one source of truth

    return _requirements()


def skipped(reason: str) -> int:
    print(f"WARNING: pip-audit skipped: {reason}", flush=True)
    return 0


def audit(requirements: Path, timeout: int) -> int:
    executable = os.environ.get("PIP_AUDIT") or str(Path(sys.executable).parent / "pip-audit")
    report = OUT / "pip-audit.json"
    report.unlink(missing_ok=True)
    command = [
        executable,
        *("--requirement", str(requirements), "--no-deps", "--disable-pip"),
        *("--progress-spinner", "off", "--timeout", "10"),
        *("--format", "json", "--output", str(report)),
    ]
    try:
        done = subprocess.run(  # noqa: S603 - our own tool and arguments
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return skipped(f"the vulnerability service did not answer within {timeout} s")
    except FileNotFoundError:
        print(f"{executable} is missing: `python3 run.py setup` installs the dev extras")
        return 1
    dependencies = json.loads(report.read_text())["dependencies"] if report.exists() else []
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    unanswered = [dep for dep in dependencies if "skip_reason" in dep]
    if vulnerable:
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
                pin = f"{dep['name']}=={dep['version']}"
                print(f"VULNERABLE: {pin} {vuln['id']} (fixed in {fixes})")
        print(f"pip-audit: {len(vulnerable)} pinned package(s) with known vulnerabilities")
        return 1
    if done.returncode != 0:
        output = done.stderr + done.stdout
        if any(marker in output for marker in NETWORK_ERRORS):
            last = output.strip().splitlines()[-1] if output.strip() else "no output"
            return skipped(f"the vulnerability service cannot be reached ({last[:200]})")
        print(output, file=sys.stderr)
        print(f"pip-audit failed (exit {done.returncode})", file=sys.stderr)
        return done.returncode
    if dependencies and len(unanswered) == len(dependencies):
        return skipped(
            f"the vulnerability service answered for none of the {len(dependencies)} pins "
            f"({unanswered[0]['skip_reason'][:120]})"
        )
    for dep in unanswered:
        print(f"WARNING: pip-audit could not audit {dep['name']}: {dep['skip_reason']}")
    print(f"pip-audit: no known vulnerabilities in {len(dependencies) - len(unanswered)} pins")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, help="audit this file, not the project's pins")
    parser.add_argument("--timeout", type=int, default=180, help="seconds for the whole audit")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    requirements = args.requirements
    if requirements is None:
        requirements = OUT / "requirements.txt"
        requirements.write_text("\n".join(pinned_requirements()) + "\n")
    return audit(requirements, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
