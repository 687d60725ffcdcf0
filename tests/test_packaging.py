"""requirements.lock pins every package for every supported Python; environment.yml mirrors it;
both agree with pyproject.toml's ranges; the running environment is the lock."""

import importlib.util
import os
import re
import subprocess
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser as the tomli package (pytest depends on it)
    import tomli as tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonical(Requirement(r).name): Requirement(r) for r in project["dependencies"]}


PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
PLATFORMS = {  # a learner's machines: Linux (x86 and Arm), an Apple Silicon Mac, Windows
    "linux-x86_64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
                     "os_name": "posix"},
    "linux-aarch64": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64",
                      "os_name": "posix"},
    "macos-arm64": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64",
                    "os_name": "posix"},
    "windows": {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"},
}


def lock_requirements() -> list[Requirement]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return [Requirement(line.strip()) for line in lines if line.strip() and not line.strip().startswith("#")]


def lock_pins(python: str | None = None, platform: str = "linux-x86_64") -> dict[str, str]:
    """name -> pinned version for one Python and platform (default: the running interpreter's)."""
    environment = None
    if python is not None:
        environment = {**PLATFORMS[platform], "python_version": python, "python_full_version": python + ".0"}
    found: dict[str, str] = {}
    for requirement in lock_requirements():
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{requirement} is not pinned with =="
        if requirement.marker is None or requirement.marker.evaluate(environment):
            name = canonical(requirement.name)
            assert name not in found, f"{name} is pinned twice for Python {python} on {platform}"
            found[name] = spec.version
    return found


def test_every_locked_line_is_an_exact_pin():
    assert len(lock_requirements()) > 100
    for requirement in lock_requirements():
        assert [s.operator for s in requirement.specifier] == ["=="], requirement


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_lock_covers_every_package_on_every_supported_python(python, platform):
    pins = lock_pins(python, platform)
    for name, requirement in pyproject_requirements().items():
        assert name in pins, f"{name} has no pin for Python {python} on {platform}: run make lock"
        assert Version(pins[name]) in requirement.specifier, f"{name} {pins[name]} outside {requirement.specifier}"


def test_the_lock_pins_indirect_dependencies_too():
    # The issue that asked for a full lock named these: they floated when only direct dependencies were pinned.
    assert {"pillow", "scipy", "nbconvert", "jupyter-server", "ipykernel"} <= set(lock_pins("3.11"))


def test_the_installed_environment_is_the_lock():
    """Every locked package installed here has its locked version, and everything a locked package
    needs is locked too (run inside the course's environment, as make test does)."""
    installed = {canonical(d.metadata["Name"]): d for d in metadata.distributions()}
    pins = lock_pins()
    if "course-utils" not in installed:
        pytest.skip("not running inside the course's environment")
    wrong = {name: (installed[name].version, version) for name, version in pins.items()
             if name in installed and installed[name].version != version}
    assert not wrong, f"installed versions differ from the lock (installed, locked): {wrong}; run make setup"
    missing = set()
    for name in pins:
        for line in (installed[name].requires or []) if name in installed else []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                if canonical(requirement.name) not in pins:
                    missing.add(f"{canonical(requirement.name)} (needed by {name})")
    assert not missing, f"not in the lock: {sorted(missing)}; run make lock"


def test_environment_yml_mirrors_the_lock():
    spec = importlib.util.spec_from_file_location("write_environment", ROOT / "tools" / "write_environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.environment_yml((ROOT / "requirements.lock").read_text())
    assert (ROOT / "environment.yml").read_text() == expected, "environment.yml is stale: run make lock"
    environment = yaml.safe_load(expected)
    pip_lines = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert pip_lines[-1] == "-e ." and [Requirement(line) for line in pip_lines[:-1]] == lock_requirements()


def test_torch_is_not_the_broken_local_wheel():
    # A CPU-only torch 2.13.0 wheel on the build machine has no matching torchvision build.
    for python in PYTHONS:
        assert lock_pins(python)["torch"] != "2.13.0"


def test_the_user_named_packages_are_all_there():
    named = {"jupyterlab", "torch", "torchvision", "matplotlib", "numpy", "nbval", "ipywidgets"}
    assert named <= set(lock_pins("3.11"))


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci.splitlines()[-1]
    assert "make test" in readme and "make lab" in readme


def _recipe(makefile: str, target: str) -> str:
    block = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert block, f"Makefile has no target {target!r}"
    return block.group(1)


def _variable(makefile: str, name: str) -> str:
    """The value of a Makefile variable, its continuation lines joined."""
    value = re.search(rf"^{name} := ((?:.*\\\n)*.*)$", makefile, re.M).group(1)
    return " ".join(value.replace("\\\n", " ").split())


def _notebooks(makefile: str, variable: str) -> list[str]:
    patterns = _variable(makefile, variable).split()
    return sorted(path.name for pattern in patterns for path in ROOT.glob(pattern))


def test_make_test_checks_every_stored_notebook_and_some_on_an_emulated_other_cpu():
    makefile = (ROOT / "Makefile").read_text()
    variants = re.search(r"^VARIANTS := (.+)$", makefile, re.M).group(1).split()
    ci_variant = re.search(r"^CI_VARIANT := (.+)$", makefile, re.M).group(1)
    assert len(variants) == 3 and ci_variant in variants
    assert "pytest --nbval" in re.search(r"^NBVAL := (.+)$", makefile, re.M).group(1)
    group_a, group_b = _notebooks(makefile, "NOTEBOOKS_A"), _notebooks(makefile, "NOTEBOOKS_B")
    every = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(group_a + group_b) == every, "the two streams together must check every notebook exactly once"
    assert _notebooks(makefile, "VARIANT_NOTEBOOKS"), "make test checks some notebooks on an emulated other CPU"
    test = _recipe(makefile, "test")
    assert "stream-a" in test and "stream-b" in test
    stream_a, stream_b = _recipe(makefile, "stream-a"), _recipe(makefile, "stream-b")
    assert "$(NBVAL) $(NOTEBOOKS_A)" in stream_a and "$(STREAM_B_TESTS)" in stream_b
    assert stream_b.index("tests/browser/install.sh") < stream_b.index("$(STREAM_B_TESTS)")
    # stream B's one pytest: the unit tests as make unit selects them (browser and mutation tests included),
    # NOTEBOOKS_B's nbval and the main claims' mutations only
    stream_b_tests = _variable(makefile, "STREAM_B_TESTS")
    assert stream_b_tests.startswith("$(BIN)/python -m pytest tests $(NOTEBOOKS_B) --nbval")
    assert '-m "$(UNIT_MARKERS) and (main_claim or not mutation)"' in stream_b_tests
    assert "--ignore" not in stream_b_tests
    assert "$(CI_VARIANT) $(NBVAL) $(VARIANT_NOTEBOOKS)" in stream_a + stream_b
    assert "$(NBVAL) notebooks/" in _recipe(makefile, "nbval-variants")


def test_notebooks_use_the_installed_kernel_name():
    import json
    kernel = re.search(r"^KERNEL := (\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == kernel, path.name


MAINTAINER_TOOLS = {  # make target -> what it runs from tools/ (maintainer tools, never installed)
    "benchmark": "-m tools.benchmark", "runtime": "-m tools.runtime", "slides": "-m tools.classroom slides",
    "student": "-m tools.classroom student", "pretrain": "-m tools.pretrain pretrain",
}


def test_the_installed_package_holds_no_maintainer_tools():
    from setuptools import find_packages

    for name in ("benchmark", "runtime", "classroom", "pretrain"):
        assert importlib.util.find_spec(f"course_utils.{name}") is None, f"course_utils.{name} belongs in tools/"
        assert importlib.util.find_spec(f"tools.{name}") is not None, f"tools/{name}.py is missing"
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert find == {"include": ["course_utils*"]}, "only course_utils is installed"
    packages = find_packages(where=str(ROOT), **find)
    assert "course_utils" in packages and all(p.split(".")[0] == "course_utils" for p in packages), packages


def test_the_maintainer_make_targets_run_the_tools_from_tools():
    makefile = (ROOT / "Makefile").read_text()
    for target, command in MAINTAINER_TOOLS.items():
        assert f"$(BIN)/python {command}" in _recipe(makefile, target), f"make {target} should run {command}"
    assert "-m course_utils." not in makefile


def test_make_test_runs_ruff_first_with_the_settings_in_pyproject():
    makefile = (ROOT / "Makefile").read_text()
    assert "lint" in re.search(r"^test:(.*)$", makefile, re.M).group(1).split(), "make test runs make lint first"
    assert "ruff check ." in _recipe(makefile, "lint")
    assert "lint" in re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "ruff" in pyproject_requirements(), "ruff is a dependency, so the lock pins it"
    ruff = pyproject["tool"]["ruff"]
    assert ruff["line-length"] == 120 and {"E", "F", "W", "I"} <= set(ruff["lint"]["select"])


def test_the_pretrained_weights_package_is_locked_installed_and_checked():
    from course_utils.pretrained import EFFICIENTNET_PACKAGE, EFFICIENTNET_SHA256, efficientnet_lite0_path
    from course_utils.storage import _sha256_file

    for python in PYTHONS:
        for platform in PLATFORMS:
            assert lock_pins(python, platform)[EFFICIENTNET_PACKAGE] == "0.1.0", (python, platform)
    assert _sha256_file(efficientnet_lite0_path()) == EFFICIENTNET_SHA256
    licence = metadata.distribution(EFFICIENTNET_PACKAGE).read_text("LICENSE")
    assert "Apache License, Version 2.0" in licence  # the weights may be redistributed and used in class


def test_the_sample_video_package_is_locked_installed_and_checked():
    from course_utils.video_io import _SAMPLE_VIDEO_PACKAGE, SAMPLE_VIDEOS, sample_video_path

    for python in PYTHONS:
        for platform in PLATFORMS:
            assert lock_pins(python, platform)[_SAMPLE_VIDEO_PACKAGE] == "1.1.11", (python, platform)
    assert metadata.distribution(_SAMPLE_VIDEO_PACKAGE).metadata["License"] == "BSD"
    for name in SAMPLE_VIDEOS:
        sample_video_path(name)  # checks the file's recorded sha256


def test_make_lab_runs_as_root_and_make_clean_keeps_student_work():
    makefile = (ROOT / "Makefile").read_text()
    as_root = subprocess.run(["make", "-n", "--always-make", "lab"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()[-1]
    assert as_root.endswith("--allow-root") == (os.geteuid() == 0), as_root
    clean = _recipe(makefile, "clean")
    assert "student" not in clean, "make clean must never delete the students' notebooks"


def test_jupyterlab_is_configured_to_stay_offline():
    import json

    config = json.loads((ROOT / "tools" / "jupyter_lab_config.json").read_text())["LabApp"]
    assert config == {"extension_manager": "readonly", "news_url": None,
                      "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}
    assert "cp tools/jupyter_lab_config.json $(VENV)/etc/jupyter/" in (ROOT / "Makefile").read_text()
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_lab_config.json"
    assert json.loads(installed.read_text())["LabApp"] == config, "run make setup"


def test_the_slide_assets_are_local_and_mathjax_is_locked():
    for python in PYTHONS:
        for platform in PLATFORMS:
            assert lock_pins(python, platform)["jupyter-server-mathjax"] == "0.2.6", (python, platform)
    assert "BSD" in metadata.distribution("jupyter-server-mathjax").metadata["License"]
    assets = ROOT / "tools" / "slides" / "assets"
    for path in ("reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js", "reveal.js/LICENSE",
                 "requirejs/require.js", "jquery/jquery.min.js", "jquery/LICENSE.txt"):
        assert (assets / path).is_file(), path


def test_the_installed_package_exposes_no_solution():
    """The answer key stays in the teacher's notebooks: the package students import holds none."""
    import course_utils

    assert importlib.util.find_spec("course_utils.solutions") is None
    package = Path(course_utils.__file__).parent
    holding = [str(p.relative_to(package)) for p in package.rglob("*.py") if "BEGIN SOLUTION" in p.read_text()]
    assert not holding, f"solution code in the package: {holding}"
