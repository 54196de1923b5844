"""Every service has the same inside (DESIGN §1, docs/adding-a-service.md), so copying a skeleton is
the right move and a newcomer knows their room in any service. The shape, checked:

- the file set: ``app.py``, ``config.py``, ``api/``, ``schemas``, ``models.py``, ``domain/``,
  ``service``, ``handlers.py``, ``migrations/versions/`` (from ``<name>_0001``), ``__main__.py``;
- the same exports: ``SPEC`` (the service's ``ServiceSpec``) and ``create_app`` in ``app.py``,
  ``Ctx`` in ``config.py``, ``ROUTERS`` in ``api``, ``HANDLERS`` in ``handlers.py`` — the tables
  the spec is wired with;
- no module over 500 lines; pydantic models only in ``schemas``.

The import layers (shared never imports services, no service another, ``domain/`` pure, ``api/``
never touching ``models``) are import-linter's contracts in pyproject.toml.
"""

from __future__ import annotations

import ast
import pkgutil
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType

import pytest
from fastapi import APIRouter
from pydantic import BaseModel
from pydantic_settings import BaseSettings

import services
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import SERVICE_NAMES

SERVICES_DIR = Path(services.__file__).parent
MAX_MODULE_LINES = 500
# The composition root beside the five services: it mounts them all (gongkai, embedded mode, the
# demo data set, the gateway of the distributed mode).
COMPOSITION_ROOT = {"cli.py", "demo.py", "embedded.py", "gateway.py", "supervisor.py", "__init__.py"}


def exists_as_module_or_package(service_dir: Path, name: str) -> bool:
    """``name.py`` or the package ``name/`` (a layer that outgrew one file, DESIGN §1)."""
    return (service_dir / f"{name}.py").is_file() or (service_dir / name / "__init__.py").is_file()


def service_python_files() -> Iterator[Path]:
    """Every hand-written module of the services (migrations are Alembic's revisions, not code
    that grows)."""
    for path in sorted(SERVICES_DIR.rglob("*.py")):
        if "migrations" not in path.relative_to(SERVICES_DIR).parts:
            yield path


def service_modules() -> Iterator[ModuleType]:
    """Every module of the services, imported; ``__main__`` (it starts a server) and migrations
    (run by Alembic) left out."""
    for info in pkgutil.walk_packages(services.__path__, prefix="services."):
        parts = info.name.split(".")
        if parts[-1] == "__main__" or "migrations" in parts:
            continue
        yield import_module(info.name)


def is_schemas_module(module_name: str) -> bool:
    """``services.<name>.schemas`` or a module of that package."""
    parts = module_name.split(".")
    return len(parts) >= 3 and parts[2] == "schemas"


def test_the_services_directory_holds_the_five_services_and_the_composition_root() -> None:
    packages = {path.name for path in SERVICES_DIR.iterdir() if (path / "__init__.py").is_file()}
    modules = {path.name for path in SERVICES_DIR.glob("*.py")}
    assert packages == set(SERVICE_NAMES)
    assert modules <= COMPOSITION_ROOT, f"modules beside the services: {sorted(modules - COMPOSITION_ROOT)}"


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_service_has_the_file_set_of_the_template(name: str) -> None:
    service_dir = SERVICES_DIR / name
    missing = [
        f"{module}.py"
        for module in ("app", "config", "models", "handlers", "__main__", "__init__")
        if not (service_dir / f"{module}.py").is_file()
    ]
    missing += [f"{package}/" for package in ("api", "domain") if not (service_dir / package / "__init__.py").is_file()]
    missing += [
        f"{layer}.py or {layer}/"
        for layer in ("schemas", "service")
        if not exists_as_module_or_package(service_dir, layer)
    ]
    assert not missing, f"services/{name} lacks {missing}"
    versions = service_dir / "migrations" / "versions"
    assert sorted(path.name for path in versions.glob(f"{name}_0001_*.py")), (
        f"services/{name}/migrations/versions has no first revision {name}_0001_….py (the foundation tables)"
    )


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_service_exports_its_spec_app_context_routers_and_handlers(name: str) -> None:
    app = import_module(f"services.{name}.app")
    spec = app.SPEC
    assert isinstance(spec, ServiceSpec)
    assert spec.name == name
    assert callable(app.create_app)

    ctx = import_module(f"services.{name}.config").Ctx
    assert getattr(ctx, "__origin__", ctx) is ServiceRuntime, "Ctx is ServiceRuntime[<the service's resources>]"

    routers = import_module(f"services.{name}.api").ROUTERS
    assert all(isinstance(router, APIRouter) for router in routers)
    assert list(spec.routers) == list(routers), "SPEC.routers is api.ROUTERS"

    handlers = import_module(f"services.{name}.handlers").HANDLERS
    assert dict(spec.handlers) == dict(handlers), "SPEC.handlers is handlers.HANDLERS, the one table"


def test_no_module_in_services_is_over_500_lines() -> None:
    too_long = {
        path.relative_to(SERVICES_DIR.parent).as_posix(): lines
        for path in service_python_files()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"split by noun or concern (DESIGN §1): {too_long}"


def test_pydantic_models_live_only_in_schemas() -> None:
    """A pydantic model (directly or through another model) defined outside ``schemas``. Settings
    classes (pydantic-settings) are configuration, not API models, and sit in ``config.py``; a
    generic model's parametrization (``Page[UnitOut]`` in a router) defines nothing."""
    misplaced = sorted(
        f"{module.__name__}.{name}"
        for module in service_modules()
        if not is_schemas_module(module.__name__)
        for name, value in vars(module).items()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and issubclass(value, BaseModel)
        and not issubclass(value, BaseSettings)
        and value.__pydantic_generic_metadata__["origin"] is None
    )
    assert not misplaced, f"move these to the service's schemas: {misplaced}"


# -- the tests follow the same rules (issue 6, item 7) ---------------------------------------------

TESTS_DIR = Path(__file__).parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names


def test_test_modules_hold_tests_and_helper_modules_are_not_named_test() -> None:
    """pytest collects every ``test_*.py``: a helper under that name is collected for nothing and
    looks like a test file to a reader."""
    without_tests = [
        path.relative_to(TESTS_DIR.parent).as_posix()
        for path in sorted(TESTS_DIR.rglob("test_*.py"))
        if not any(
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert not without_tests, f"helper modules named test_*: {without_tests}"


def test_no_module_imports_a_conftest() -> None:
    """A conftest holds fixtures, which pytest finds by itself; what tests import lives in
    ``tests/support.py``, ``tests/infra.py`` or a package's helper module."""
    offenders = [
        path.relative_to(TESTS_DIR.parent).as_posix()
        for path in sorted([*TESTS_DIR.rglob("*.py"), *(TESTS_DIR.parent / "bench").glob("*.py")])
        if any(name.split(".")[-1] == "conftest" for name in imported_modules(path))
    ]
    assert not offenders, f"import from tests/support.py instead: {offenders}"
