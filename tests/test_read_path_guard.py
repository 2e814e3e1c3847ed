"""The build-breaking guard of the one read path (docs/architecture/access.md).

Every view, serializer, consumer and admin module of the project's own apps is parsed with
``ast``; the build fails, listing ``file:line``, where one reaches a protected model other than
through ``restrict()``:

1. ``<Model>.objects`` / ``<Model>._default_manager`` / ``<Model>._base_manager`` where Model is
   protected, unless the same call chain goes on with ``.restrict(`` (``.none()`` leaks nothing
   and is allowed too): ``Case.objects.restrict(user, "view").filter(…)`` is fine,
   ``Case.objects.filter(…)`` is not. Import aliases (``from cases.models import Case as C``) and
   module access (``models.Case.objects``) count.
2. ``super().get_queryset(…)`` in a ModelAdmin or inline of a protected model (``model = X``,
   ``@admin.register(X)``, ``admin.site.register(X, …)``) unless the chain goes on with
   ``.restrict(`` — or the class's bases put a project mixin whose own ``get_queryset`` restricts
   first in line (``class CaseAdmin(RestrictedAdminMixin, admin.ModelAdmin)``).

Protected models: Case, Patient, CaseEvent, Escalation (declared below) and every category detail
model registered in ``cases.registry.registry``. A runtime check completes the static one: every
registered admin and detail inline of a protected model hands a non-superuser a restricted
queryset, whatever mixins it inherits.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory

from cases.registry import registry

CORE_PROTECTED = ("Case", "Patient", "CaseEvent", "Escalation")
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
SAFE_CALLS = frozenset({"restrict", "none"})
READ_PATH_FILES = frozenset({"views.py", "serializers.py", "consumers.py", "admin.py"})
READ_PATH_PACKAGES = frozenset({"views", "api", "admin", "consumers"})
EXCLUDED_DIRS = frozenset(
    {".venv", "venv", ".git", "node_modules", "tests", "migrations", "__pycache__", "var"}
)
ROOT = Path(settings.BASE_DIR).resolve()


def protected_models() -> frozenset[str]:
    details = {spec.detail_model.__name__ for spec in registry if spec.detail_model is not None}
    return frozenset(CORE_PROTECTED) | details


# --- which files ----------------------------------------------------------------------------------


def app_directories() -> list[Path]:
    """The project's own apps (and the project package), not third-party or test apps."""
    found = {ROOT / "patientcare"}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(ROOT) and not EXCLUDED_DIRS & set(path.relative_to(ROOT).parts):
            found.add(path)
    return sorted(found)


def read_path_modules() -> list[Path]:
    modules = set()
    for app in app_directories():
        for path in app.rglob("*.py"):
            inside = path.relative_to(app).parts
            if EXCLUDED_DIRS & set(inside):
                continue
            if path.name in READ_PATH_FILES or READ_PATH_PACKAGES & set(inside[:-1]):
                modules.add(path)
    return sorted(modules)


# --- the checker ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _link(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child._guard_parent = node  # type: ignore[attr-defined]


def _parent(node: ast.AST) -> ast.AST | None:
    return getattr(node, "_guard_parent", None)


def _chain_calls(node: ast.AST) -> list[str]:
    """The methods called on ``node`` further along its chain: ``X.a(…).b(…)`` → [a, b]."""
    called = []
    while True:
        parent = _parent(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            grand = _parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                called.append(parent.attr)
                node = grand
                continue
            node = parent
            continue
        return called


def _restricted_chain(node: ast.AST, *, allow_none: bool = False) -> bool:
    called = _chain_calls(node)
    return "restrict" in called or (allow_none and called[:1] == ["none"])


def _is_super_get_queryset(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_queryset"
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "super"
    )


def _last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class ModuleInfo:
    """What one module says about classes (for the MRO approximation) and protected names."""

    def __init__(self, tree: ast.Module, protected: frozenset[str]) -> None:
        self.aliases = {name: name for name in protected}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name in protected and alias.asname:
                        self.aliases[alias.asname] = alias.name
        self.registered: set[str] = set()  # admin classes registered for a protected model
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _last_name(node.func) == "register":
                args = [_last_name(arg) for arg in node.args]
                if len(args) >= 2 and self.protected_name(node.args[0]):
                    self.registered.update(name for name in args[1:] if name)

    def protected_name(self, node: ast.AST) -> str | None:
        """The protected model ``node`` names (``Case``, an alias, ``models.Case``), if any."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr in self.aliases.values():
            return node.attr
        return None

    def admin_model(self, cls: ast.ClassDef) -> str | None:
        """The protected model ``cls`` is an admin or inline of, if any."""
        for decorator in cls.decorator_list:
            if isinstance(decorator, ast.Call) and _last_name(decorator.func) == "register":
                for arg in decorator.args:
                    if name := self.protected_name(arg):
                        return name
        for statement in cls.body:
            if (
                isinstance(statement, ast.Assign)
                and any(
                    isinstance(target, ast.Name) and target.id == "model"
                    for target in statement.targets
                )
                and (name := self.protected_name(statement.value))
            ):
                return name
        return "registered" if cls.name in self.registered else None


def _get_queryset_kind(cls: ast.ClassDef) -> str | None:
    """How ``cls``'s own get_queryset treats its super(): "restricts", "passes" (calls it, adds
    no restrict), "replaces" (does not call it); None when the class defines none."""
    for statement in cls.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "get_queryset":
            calls = [node for node in ast.walk(statement) if _is_super_get_queryset(node)]
            if not calls:
                return "replaces"
            return "restricts" if all(_restricted_chain(call) for call in calls) else "passes"
    return None


def super_is_restricted(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> bool:
    """Whether ``super().get_queryset()`` inside ``cls`` reaches a restricting get_queryset before
    any other: bases in order, depth first (the C3 order for these mixin chains); a base outside
    the scanned modules (admin.ModelAdmin, …) returns an unrestricted queryset."""

    def walk(bases: list[ast.expr], seen: frozenset[str]) -> bool | None:
        for base in bases:
            name = _last_name(base)
            if name is None or name == "object":
                continue
            if name not in classes or name in seen:
                return False
            kind = _get_queryset_kind(classes[name])
            if kind == "restricts":
                return True
            if kind == "replaces":
                return False
            decided = walk(classes[name].bases, seen | {name})
            if decided is not None:
                return decided
        return None

    return bool(walk(cls.bases, frozenset({cls.name})))


def check_source(
    source: str,
    path: str = "<string>",
    *,
    protected: frozenset[str] | None = None,
    classes: dict[str, ast.ClassDef] | None = None,
) -> list[Violation]:
    protected = protected if protected is not None else protected_models()
    tree = ast.parse(source, filename=path)
    _link(tree)
    info = ModuleInfo(tree, protected)
    classes = {**(classes or {}), **collect_classes(tree)}
    violations = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            model = info.protected_name(node.value)
            if model and not _restricted_chain(node, allow_none=True):
                violations.append(
                    Violation(path, node.lineno, f"{model}.{node.attr} without .restrict(")
                )
        if isinstance(node, ast.ClassDef) and (model := info.admin_model(node)):
            for call in ast.walk(node):
                if (
                    _is_super_get_queryset(call)
                    and not _restricted_chain(call)
                    and not super_is_restricted(node, classes)
                ):
                    violations.append(
                        Violation(
                            path,
                            call.lineno,
                            f"super().get_queryset() in {node.name} (admin of {model}) without "
                            ".restrict(",
                        )
                    )
    return sorted(violations, key=lambda violation: (violation.path, violation.line))


def collect_classes(tree: ast.AST) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}


def check_project() -> list[Violation]:
    modules = read_path_modules()
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in modules}
    classes: dict[str, ast.ClassDef] = {}
    for tree in trees.values():
        _link(tree)
        classes.update(collect_classes(tree))
    violations = []
    for path in modules:
        violations += check_source(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), classes=classes
        )
    return violations


# --- the guard ------------------------------------------------------------------------------------


def test_the_guard_scans_the_read_path_modules():
    scanned = {str(path.relative_to(ROOT)) for path in read_path_modules()}
    assert "cases/admin/records.py" in scanned
    assert "billing_inquiries/admin.py" in scanned
    assert not any(part in EXCLUDED_DIRS for path in scanned for part in Path(path).parts)
    assert {"BillingInquiry", "Complaint", "PortalIssue"} <= protected_models()


def test_no_read_path_module_bypasses_restrict():
    violations = check_project()
    assert not violations, "Protected models read without restrict():\n" + "\n".join(
        map(str, violations)
    )


# --- the guard's self-test ------------------------------------------------------------------------

PROTECTED = frozenset({"Case", "Patient", "CaseEvent", "BillingInquiry"})


def lines(source: str) -> list[int]:
    return [violation.line for violation in check_source(source, protected=PROTECTED)]


def test_the_guard_catches_a_manager_without_restrict():
    source = """
from cases.models import Case, Patient as P
import cases.models as models

def view(request, pk):
    a = Case.objects.restrict(request.user, "view").filter(pk=pk)
    b = Case.objects.filter(pk=pk)
    c = Case.objects.select_related("patient").restrict(request.user, "view")
    d = P.objects.get(pk=pk)
    e = models.CaseEvent.objects.all()
    f = Case._default_manager.all()
    g = Case.objects.none()
    h = BillingInquiry.objects.restrict(request.user, "work")
    i = Queue.objects.all()
    return Case.objects
"""
    assert lines(source) == [7, 9, 10, 11, 15]


def test_the_guard_catches_an_unrestricted_admin_queryset():
    source = """
from django.contrib import admin
from cases.models import Case, CaseEvent, Queue

class Restricting:
    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

@admin.register(Case)
class GoodCaseAdmin(Restricting, admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("patient")

class WrongOrderInline(admin.TabularInline, Restricting):
    model = CaseEvent
    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

class PlainInline(admin.TabularInline):
    model = CaseEvent
    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

class LeakyAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request)

class QueueAdmin(admin.ModelAdmin):
    model = Queue
    def get_queryset(self, request):
        return super().get_queryset(request)

admin.site.register(Case, LeakyAdmin)
"""
    assert lines(source) == [17, 26]


# --- runtime complement: what the registered admin pages really return ----------------------------


@pytest.fixture
def staff_request(db):
    from accounts.roles import Role, ensure_role_groups
    from tests.factories import UserFactory

    agent = UserFactory(username="guard-agent", is_staff=True)
    agent.groups.add(ensure_role_groups()[Role.AGENT])
    request = RequestFactory().get("/admin/")
    request.user = agent
    return request


def protected_admins():
    from cases.models import Case

    names = protected_models()
    for model, model_admin in admin.site._registry.items():
        if model.__name__ in names:
            yield f"{type(model_admin).__name__}", model_admin
            for inline in model_admin.inlines:
                yield inline.__name__, inline(model, admin.site)
    for spec in registry:
        if spec.admin_inline is not None and spec.detail_model is not None:
            yield spec.admin_inline.__name__, spec.admin_inline(Case, admin.site)


def test_registered_admins_of_protected_models_restrict(staff_request):
    """An agent with no queue and no grant gets restrict()'s condition, never the bare table,
    from every admin page and inline of a protected model: since issue 18 a flat one on the case
    row (only what is assigned to them, ``assigned_to_id = <id>``; an EXISTS over such cases for
    patients)."""
    unrestricted = []
    assigned = re.compile(r'"assigned_to_id" = \d+')
    for name, model_admin in protected_admins():
        queryset = model_admin.get_queryset(staff_request)
        if queryset.query.is_empty():
            continue  # restrict() returned .none()
        sql = str(queryset.query)
        if not assigned.search(sql):
            unrestricted.append(f"{name}: {sql[:200]}")
    assert not unrestricted


def test_the_guard_flags_the_real_admins_once_their_restricting_mixin_is_gone():
    """Not vacuous on the real code: take every admin of a protected model that calls
    super().get_queryset() and is clean only thanks to a restricting mixin; without that mixin
    among its bases, the guard flags it."""
    modules = read_path_modules()
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in modules}
    classes: dict[str, ast.ClassDef] = {}
    for tree in trees.values():
        _link(tree)
        classes.update(collect_classes(tree))
    restricting = {name for name, cls in classes.items() if _get_queryset_kind(cls) == "restricts"}
    stripped: list[str] = []
    for path, tree in trees.items():
        info = ModuleInfo(tree, protected_models())
        here = set()
        for cls in collect_classes(tree).values():
            calls_super = any(_is_super_get_queryset(node) for node in ast.walk(cls))
            mixins = [base for base in cls.bases if _last_name(base) in restricting]
            if info.admin_model(cls) and calls_super and mixins:
                cls.bases = [base for base in cls.bases if base not in mixins]
                here.add(cls.name)
        if here:
            flagged = {
                violation.message.split(" in ", 1)[1].split(" ", 1)[0]
                for violation in check_source(ast.unparse(tree), str(path), classes=classes)
                if violation.message.startswith("super()")
            }
            assert here <= flagged, f"{path}: {sorted(here - flagged)} not flagged"
            stripped += sorted(here)
    if not stripped:
        pytest.skip("no admin of a protected model relies on a restricting mixin any more")
