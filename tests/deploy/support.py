"""What the deployment files are checked against: the ``gongkai`` command as Typer builds it and the
settings the processes really read (pydantic-settings classes), never a second hand-written list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import import_module
from typing import Any

import typer
from pydantic_settings import BaseSettings

import services.cli
from shared.settings import SERVICE_NAMES, Settings

# Where settings classes live: the shared ones and each service's own (``GONGKAI_<SERVICE>_…``).
SETTINGS_MODULES = ("shared.settings", *(f"services.{name}.config" for name in SERVICE_NAMES))


def settings_classes() -> list[type[BaseSettings]]:
    found: list[type[BaseSettings]] = []
    for module_name in SETTINGS_MODULES:
        module = import_module(module_name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, BaseSettings) and value.__module__ == module_name
        ]
    assert Settings in found
    return found


def setting_names() -> dict[str, tuple[type[BaseSettings], str]]:
    """``GONGKAI_…`` environment variable → (settings class, field name)."""
    names: dict[str, tuple[type[BaseSettings], str]] = {}
    for cls in settings_classes():
        prefix = cls.model_config.get("env_prefix", "")
        for field in cls.model_fields:
            names[f"{prefix}{field}".upper()] = (cls, field)
    return names


def unknown_settings(variables: set[str]) -> set[str]:
    """The ``GONGKAI_*`` names among ``variables`` that no settings class reads (a typo is silently
    ignored by pydantic-settings, so it has to be caught here)."""
    return {name for name in variables if name.startswith("GONGKAI_")} - set(setting_names())


def refused_values(environment: Mapping[str, str]) -> dict[str, str]:
    """Each settings class built from ``environment`` (only the variables it reads): the values a
    process would refuse at start-up, by variable name → pydantic's message."""
    refused: dict[str, str] = {}
    names = setting_names()
    for cls in settings_classes():
        values = {
            field: environment[var] for var, (owner, field) in names.items() if owner is cls and var in environment
        }
        try:
            cls.model_validate(values)
        except ValueError as exc:
            refused[cls.__name__] = str(exc)
    return refused


def gongkai_command_problem(argv: list[str]) -> str | None:
    """Why ``argv`` is not a command the ``gongkai`` CLI accepts (None when it is): the sub-command
    exists and Typer parses its arguments and options; a service argument names a real service.
    (Typer carries its own copy of click, hence its public names only: ``typer.Context``,
    ``typer.TyperException``, and a group known by ``get_command``.)"""
    if not argv or argv[0] != "gongkai":
        return f"{argv!r} does not run the gongkai command"
    command: Any = typer.main.get_command(services.cli.app)
    args = list(argv[1:])
    path = ["gongkai"]
    while hasattr(command, "get_command") and args and not args[0].startswith("-"):
        sub = command.get_command(typer.Context(command), args[0])
        if sub is None:
            return f"gongkai has no command {' '.join([*path[1:], args[0]])!r}"
        path.append(args.pop(0))
        command = sub
    if hasattr(command, "get_command"):
        return f"{' '.join(argv)} needs a sub-command"
    try:
        context = command.make_context(" ".join(path), args)
    except typer.TyperException as exc:
        return f"{' '.join(argv)}: {exc}"
    service = context.params.get("service")
    if service is not None and service not in SERVICE_NAMES:
        return f"{' '.join(argv)}: unknown service {service!r}"
    return None


_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}")


def interpolated(text: str, environment: Mapping[str, str] | None = None) -> str:
    """Compose's variable interpolation (``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``$$``)
    against ``environment`` (empty: what a fresh checkout gets from the defaults)."""
    environment = environment or {}

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, default = match.group("name"), match.group("op"), match.group("default")
        value = environment.get(name)
        if op == ":-" and not value or op == "-" and value is None:
            return default
        if op in (":?", "?") and not value:
            raise AssertionError(f"${{{name}}} is required: {default}")
        return value or ""

    return _INTERPOLATION.sub(substitute, text)


def interpolation_variables(text: str) -> set[str]:
    return {m.group("name") for m in _INTERPOLATION.finditer(text) if m.group("name")}
