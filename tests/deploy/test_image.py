"""The container image (issue 16 item 3), checked without a Docker engine: the Dockerfile parsed with
dockerfile-parse — multi-stage, the final stage a slim base holding only the venv, run by a numeric
non-root user, no build tools, a HEALTHCHECK, every writable path under the data volume — and the
project's build (what ``pip install .`` puts in the venv) shipping every file the services read."""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from dockerfile_parse import DockerfileParser

from tests.deploy.support import gongkai_command_problem, setting_names, unknown_settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|cc|clang|make|build-essential|python3?-dev|libpq-dev|apt-get|apk|pip)\b")


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    return DockerfileParser(fileobj=io.BytesIO(DOCKERFILE.read_bytes()))


def stages(parser: DockerfileParser) -> list[list[dict[str, Any]]]:
    """The instructions of each stage, in order (comments dropped)."""
    found: list[list[dict[str, Any]]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            found.append([])
        if found and instruction["instruction"] != "COMMENT":
            found[-1].append(instruction)
    return found


def values(stage: list[dict[str, Any]], name: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == name]


@pytest.fixture(scope="module")
def final(dockerfile: DockerfileParser) -> list[dict[str, Any]]:
    return stages(dockerfile)[-1]


def test_multi_stage_on_a_slim_python_base(dockerfile: DockerfileParser) -> None:
    assert dockerfile.is_multistage
    build, final_stage = stages(dockerfile)
    assert re.search(r"\bAS build$", build[0]["value"])
    assert all(re.fullmatch(r"python:3\.11[\w.]*-slim[\w.-]*", image) for image in dockerfile.parent_images)
    # The final stage starts again from the clean base, not from the build stage.
    assert not final_stage[0]["value"].endswith("build")


def test_the_build_stage_installs_the_project_without_its_test_extra(dockerfile: DockerfileParser) -> None:
    build = stages(dockerfile)[0]
    copied = {source for value in values(build, "COPY") for source in value.split()[:-1]}
    assert {"pyproject.toml", "README.md", "shared", "services"} <= copied
    installs = [value for value in values(build, "RUN") if "pip install" in value]
    assert installs and all("[test]" not in value and "-e " not in value for value in installs)


def test_the_final_stage_holds_only_the_venv_and_no_build_tools(final: list[dict[str, Any]]) -> None:
    assert values(final, "COPY") == ["--from=build /opt/gongkai /opt/gongkai"]
    assert not values(final, "ADD")
    for run in values(final, "RUN"):
        assert not BUILD_TOOLS.search(run), run


def test_the_final_stage_runs_as_a_fixed_numeric_non_root_user(final: list[dict[str, Any]]) -> None:
    """Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd."""
    user = values(final, "USER")[-1]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 1000 and (not gid or int(gid) >= 1000), user
    created = " ".join(values(final, "RUN"))
    assert f"useradd --system --uid {uid}" in created
    # Nothing after the switch runs as root again.
    last_user_at = max(i for i, instruction in enumerate(final) if instruction["instruction"] == "USER")
    assert not [i for i in final[last_user_at:] if i["instruction"] == "RUN"]


def test_healthcheck_port_and_default_command(final: list[dict[str, Any]]) -> None:
    assert values(final, "EXPOSE") == ["8000"]
    (healthcheck,) = values(final, "HEALTHCHECK")
    options, _, command = healthcheck.partition("CMD ")
    assert "--interval=" in options and "--timeout=" in options
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    compile(argv[2], "HEALTHCHECK", "exec")
    assert "urllib.request.urlopen('http://127.0.0.1:8000/healthz'" in argv[2]
    (default,) = values(final, "CMD")
    argv = json.loads(default)
    assert gongkai_command_problem(argv) is None
    assert argv == ["gongkai", "serve", "--host", "0.0.0.0", "--port", "8000"]


def test_every_writable_path_is_under_the_data_volume(
    dockerfile: DockerfileParser, final: list[dict[str, Any]]
) -> None:
    """Read-only root: every setting whose default is a relative path (the embedded mode's SQLite
    files, each service's uploaded files) is pointed under GONGKAI_DATA_DIR, a VOLUME owned by the
    image's user."""
    env = dockerfile.envs
    assert not unknown_settings(set(env))
    data_dir = PurePosixPath(env["GONGKAI_DATA_DIR"])
    writable = {
        name
        for name, (cls, field) in setting_names().items()
        if isinstance(default := cls.model_fields[field].default, Path) and not default.is_absolute()
    }
    assert "GONGKAI_DATA_DIR" in writable and "GONGKAI_REQUESTS_STORAGE_DIR" in writable
    for name in writable:
        assert PurePosixPath(env[name]).is_relative_to(data_dir), name
    assert json.loads(values(final, "VOLUME")[-1]) == [str(data_dir)]
    assert values(final, "WORKDIR")[-1] == str(data_dir)
    assert f"install -d -o gongkai -g gongkai -m 0750 {data_dir}" in " ".join(values(final, "RUN"))
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_the_build_context_leaves_out_what_the_image_does_not_need(dockerfile: DockerfileParser) -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".git", ".venv", "var", "tests", "**/__pycache__"} <= set(patterns)
    copied = {
        source
        for stage in stages(dockerfile)
        for value in values(stage, "COPY")
        if not value.startswith("--from=")
        for source in shlex.split(value)[:-1]
    }
    for source in copied:
        assert not any(fnmatch(source, pattern) for pattern in patterns), source


def test_the_installed_project_ships_every_file_of_shared_and_services(tmp_path: Path) -> None:
    """``pip install .`` (the image) is not the editable install the suite runs from: a file no
    package or package-data pattern reaches is missing only in the image (the notifier's templates
    once were, and it refused to start). setuptools' build_py lays out exactly what the wheel holds."""
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for top in ("shared", "services"):
        shutil.copytree(ROOT / top, source / top, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    built = tmp_path / "lib"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "egg_info",
            "--egg-base",
            str(tmp_path),
            "build_py",
            "--build-lib",
            str(built),
        ],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr

    def files(base: Path) -> set[str]:
        return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file() and p.suffix != ".pyc"}

    expected = {path for path in files(source) if path.startswith(("shared/", "services/"))}
    assert sorted(expected - files(built)) == []
