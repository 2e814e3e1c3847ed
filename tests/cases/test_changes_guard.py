"""A house rule of issue 15, enforced by parsing the code: sensitivity is set only by
``cases.changes`` (a reason, the timeline, the audit trail), never written around it — no
``QuerySet.update(sensitivity=…)``, no ``bulk_update(…, ["sensitivity"])``, no
``save(update_fields=[…"sensitivity"…])`` outside that module. Tests (set-up), migrations and
third-party code are not scanned."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
EXCLUDED_DIRS = frozenset(
    {".venv", "venv", ".git", "node_modules", "tests", "migrations", "__pycache__", "var"}
)
ALLOWED = {ROOT / "cases" / "changes.py"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if EXCLUDED_DIRS & set(path.relative_to(ROOT).parts) or path in ALLOWED:
            continue
        yield path


def _names_sensitivity(node: ast.AST) -> bool:
    return any(
        isinstance(item, ast.Constant) and item.value == "sensitivity" for item in ast.walk(node)
    )


def _is_write(call: ast.Call) -> bool:
    method = call.func.attr
    by_keyword = method == "update" and any(k.arg == "sensitivity" for k in call.keywords)
    by_list = method == "bulk_update" and any(_names_sensitivity(a) for a in call.args[1:])
    by_fields = method in {"save", "bulk_update"} and any(
        k.arg in {"update_fields", "fields"} and _names_sensitivity(k.value) for k in call.keywords
    )
    return by_keyword or by_list or by_fields


def writes_sensitivity(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_write(node)
    ]


def test_the_guard_finds_each_way_around():
    code = """
Case.objects.filter(pk=1).update(sensitivity="hiv")
Patient.objects.bulk_update(rows, ["sensitivity"])
case.save(update_fields=["sensitivity", "updated_at"])
Case.objects.filter(pk=1).update(status="new")
case.save(update_fields=["status"])
"""
    assert writes_sensitivity(ast.parse(code)) == [2, 3, 4]


def test_sensitivity_is_written_only_by_cases_changes():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources()
        for line in writes_sensitivity(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == [], "set sensitivity through cases.changes: " + ", ".join(offenders)
