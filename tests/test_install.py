"""The README's first two commands: a fresh install that works where the system Python is
externally managed (PEP 668), and the same commands in CI."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
from external import ROOT, require

README = ROOT / "README.md"


def readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    return [re.sub(r"\s+#[^'\"]*$", "", line) for line in block.splitlines() if line.strip()]


def test_the_readme_installs_into_a_virtual_environment():
    install, test = readme_commands()
    for command in (install, test):
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install ")
        assert not re.search(r"(^|&& )pip install", command)  # refused under PEP 668
    assert install.endswith('.venv/bin/matcalc derive "inv(A)" A')
    assert test.endswith(".venv/bin/python -m pytest")


def test_ci_runs_the_readme_commands_as_written():
    done = subprocess.run([require("bash"), str(ROOT / ".ci" / "run"), "--commands"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == readme_commands()


def externally_managed_python() -> str | None:
    """A python3 whose installs pip refuses (PEP 668), as on Debian and Ubuntu."""
    for candidate in (shutil.which("python3"), "/usr/bin/python3"):
        if not candidate or not os.path.exists(candidate):
            continue
        stdlib = subprocess.run([candidate, "-c", "import sysconfig; print(sysconfig.get_path("
                                 "'stdlib'))"], capture_output=True, text=True).stdout.strip()
        if stdlib and (Path(stdlib) / "EXTERNALLY-MANAGED").exists():
            return candidate
    return None


def copy_checkout(to: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build",
                                    ".hypothesis", ".pytest_cache")
    return Path(shutil.copytree(ROOT, to, ignore=ignore))


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("MATCALC_TEST_INSTALL") != "1",
                    reason="installs from PyPI into fresh environments (a minute or more); "
                    "MATCALC_TEST_INSTALL=1 runs it, and .ci/run runs the same commands")
def test_the_readme_commands_work_on_a_fresh_machine(tmp_path):
    python = externally_managed_python() or sysconfig.get_config_var("BINDIR") + "/python3"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    checkout = copy_checkout(tmp_path / "matcalc")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           # the README's test command, as written; here it runs a quick part of the suite
           "PYTEST_ADDOPTS": "-x -q -p no:cacheprovider tests/test_cli.py"}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    install, test = readme_commands()
    if externally_managed_python():
        refused = subprocess.run([python, "-m", "pip", "install", "--dry-run", "."], cwd=checkout,
                                 capture_output=True, text=True, env=env, timeout=300)
        assert "externally-managed-environment" in refused.stderr
    done = subprocess.run([require("bash"), "-c", install], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "−(A⁻ᵀ ⊗ A⁻¹)"
    done = subprocess.run([require("bash"), "-c", test], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "[100%]" in done.stdout and "failed" not in done.stdout
