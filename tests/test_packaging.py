"""environment.yml, requirements.lock and pyproject.toml name the same packages, and agree."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonical(Requirement(r).name): Requirement(r) for r in project["dependencies"]}


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-e"):
            continue
        name, _, version = line.partition("==")
        assert version, f"{line!r} is not pinned with =="
        found[canonical(name)] = version
    return found


def lock_pins() -> dict[str, str]:
    return pins((ROOT / "requirements.lock").read_text().splitlines())


def environment_pins() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    pip_block = text.split("- pip:")[1]
    return pins(line.strip()[2:] for line in pip_block.splitlines() if line.strip().startswith("- "))


def test_same_packages_everywhere():
    assert set(pyproject_requirements()) == set(lock_pins()) == set(environment_pins())


def test_same_pinned_versions_in_lock_and_environment():
    assert lock_pins() == environment_pins()


def test_pins_satisfy_the_package_ranges():
    for name, requirement in pyproject_requirements().items():
        assert Version(lock_pins()[name]) in requirement.specifier, f"{name} {lock_pins()[name]} outside {requirement.specifier}"


def test_torch_is_not_the_broken_local_wheel():
    # A CPU-only torch 2.13.0 wheel on the build machine has no matching torchvision build.
    assert lock_pins()["torch"] != "2.13.0"


def test_the_user_named_packages_are_all_there():
    assert {"jupyterlab", "torch", "torchvision", "matplotlib", "numpy", "nbval", "ipywidgets"} <= set(lock_pins())


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci.splitlines()[-1]
    assert "make test" in readme and "make lab" in readme


def test_notebooks_use_the_installed_kernel_name():
    import json
    kernel = re.search(r"^KERNEL := (\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == kernel, path.name
