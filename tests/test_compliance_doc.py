"""docs/compliance.md names, for each HIPAA and PCI requirement, the code and the tests that show
it. This keeps the page true: every ``tests/…py::name`` it cites must be a test function (or a
test class's method) that exists, and every code path it cites must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "compliance.md"
# `tests/x/test_y.py::test_name` or `tests/x/test_y.py::TestClass::test_name` or `tests/x.py`
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)((?:::\w+)*)`")
# `app/module.py`, `app/package/` (code paths; tests are checked above), optionally followed by
# a parenthesised note outside the backticks.
CODE_REFERENCE = re.compile(r"`((?:[a-z_]+/)+(?:[\w.]+\.py)?)`")


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _test_references() -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for path, names in TEST_REFERENCE.findall(_text()):
        found.append((path, tuple(name for name in names.split("::") if name)))
    return found


def _defined(tree: ast.Module, names: tuple[str, ...]) -> bool:
    scope: list[ast.stmt] = tree.body
    for index, name in enumerate(names):
        match = next(
            (
                node
                for node in scope
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and node.name == name
            ),
            None,
        )
        if match is None:
            return False
        last = index == len(names) - 1
        if not last:
            if not isinstance(match, ast.ClassDef):
                return False
            scope = match.body
        elif not name.startswith(("test_", "Test")):
            return False
    return True


def test_the_page_cites_tests_for_every_requirement():
    text = _text()
    for requirement in (
        "164.312",
        "(a)(1)",
        "(a)(2)(i)",
        "(a)(2)(ii)",
        "(a)(2)(iii)",
        "(a)(2)(iv)",
        "(b) Audit controls",
        "(c)(1)",
        "(c)(2)",
        "(d) Person or entity authentication",
        "(e)(1)",
        "(e)(2)(i)",
        "(e)(2)(ii)",
        "164.308(a)(1)(ii)(D)",
        "164.308(a)(5)(ii)(C)",
        "164.316(b)(2)",
        "164.502(b), 164.514(d)",
        "164.528",
        "3.3",
        "3.4",
    ):
        assert requirement in text, f"docs/compliance.md does not map {requirement}"
    assert len(_test_references()) >= 40


@pytest.mark.parametrize(
    ("path", "names"),
    sorted(set(_test_references())),
    ids=lambda value: "::".join(value) if isinstance(value, tuple) else value,
)
def test_every_cited_test_exists(path, names):
    file = ROOT / path
    assert file.is_file(), f"docs/compliance.md cites {path}, which does not exist"
    if names:
        tree = ast.parse(file.read_text(encoding="utf-8"))
        assert _defined(tree, names), (
            f"docs/compliance.md cites {path}::{'::'.join(names)}, which is not a test there"
        )


def test_every_cited_code_path_exists():
    missing = [
        path
        for path in sorted(set(CODE_REFERENCE.findall(_text())))
        if not path.startswith("tests/") and not (ROOT / path).exists()
    ]
    assert not missing, f"docs/compliance.md cites code that does not exist: {missing}"


def test_the_checker_notices_a_missing_test():
    tree = ast.parse(
        "def test_here():\n    pass\n\nclass TestGroup:\n    def test_in(self):\n        pass\n"
    )
    assert _defined(tree, ("test_here",))
    assert _defined(tree, ("TestGroup", "test_in"))
    assert not _defined(tree, ("test_gone",))
    assert not _defined(tree, ("TestGroup", "test_gone"))
    assert not _defined(tree, ("test_here", "test_in"))
