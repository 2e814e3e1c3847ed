"""CI's dependency audit (.ci/audit_dependencies.py): a vulnerability fails, an unreachable
service is skipped with a visible warning, any other pip-audit failure fails. pip-audit itself is
replaced by a stub that answers as it does (its JSON report, its exit codes, its messages): the
real service is not reachable from the test machines (docs/operations/dependencies.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "audit_dependencies.py"

STUB = """#!{python}
import json, os, sys
mode = os.environ["STUB_MODE"]
output = sys.argv[sys.argv.index("--output") + 1]
deps = [{{"name": "django", "version": "3.2.0", "vulns": []}},
        {{"name": "rich", "version": "1.0", "vulns": []}}]
if mode == "vulnerable":
    deps[0]["vulns"] = [{{"id": "PYSEC-2021-9", "fix_versions": ["3.2.1"], "aliases": []}}]
    json.dump({{"dependencies": deps, "fixes": []}}, open(output, "w"))
    sys.exit(1)
if mode == "unreachable":
    print("requests.exceptions.ConnectionError: Max retries exceeded", file=sys.stderr)
    sys.exit(1)
if mode == "unanswered":
    deps = [{{"name": d["name"], "skip_reason": "Dependency not found on PyPI"}} for d in deps]
    json.dump({{"dependencies": deps, "fixes": []}}, open(output, "w"))
    sys.exit(0)
if mode == "broken":
    print("pip-audit: error: invalid requirements input", file=sys.stderr)
    sys.exit(2)
json.dump({{"dependencies": deps, "fixes": []}}, open(output, "w"))
"""


@pytest.fixture
def run_audit(tmp_path):
    stub = tmp_path / "pip-audit"
    stub.write_text(STUB.format(python=sys.executable))
    stub.chmod(0o755)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("django==3.2.0\nrich==1.0\n")

    def run(mode: str) -> subprocess.CompletedProcess:
        env = os.environ | {"PIP_AUDIT": str(stub), "STUB_MODE": mode}
        command = [sys.executable, str(SCRIPT), "--requirements", str(requirements)]
        return subprocess.run(  # noqa: S603 - our own interpreter and script
            command, env=env, capture_output=True, text=True, timeout=60, check=False
        )

    return run


def test_a_vulnerable_pin_fails(run_audit):
    done = run_audit("vulnerable")
    assert done.returncode == 1
    assert "VULNERABLE: django==3.2.0 PYSEC-2021-9 (fixed in 3.2.1)" in done.stdout


@pytest.mark.parametrize("mode", ["unreachable", "unanswered"])
def test_an_unreachable_service_is_skipped_visibly(run_audit, mode):
    done = run_audit(mode)
    assert done.returncode == 0
    assert done.stdout.startswith("WARNING: pip-audit skipped: the vulnerability service")


def test_any_other_failure_fails(run_audit):
    done = run_audit("broken")
    assert done.returncode == 2
    assert "invalid requirements input" in done.stderr


def test_no_vulnerability_passes(run_audit):
    done = run_audit("clean")
    assert done.returncode == 0
    assert "WARNING" not in done.stdout
    assert "no known vulnerabilities in 2 pins" in done.stdout


def test_the_audited_list_is_what_run_py_installs():
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        import audit_dependencies
    finally:
        sys.path.remove(str(ROOT / ".ci"))
    pins = audit_dependencies.pinned_requirements()
    assert "pip-audit==2.10.1" in pins
    assert all("==" in pin for pin in pins)
    assert json.dumps(pins)  # plain strings
