"""External programs the tests drive (pdflatex, bash, zsh, fish): in CI they must be there."""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(program: str) -> str:
    """The program's path. Missing, it skips the test locally but fails it in CI (CI=true)."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed"
        if in_ci():
            pytest.fail(f"{message}; .ci/run installs it", pytrace=False)
        pytest.skip(message)
    return path


def matcalc_env() -> dict[str, str]:
    """The environment in which `python -m matcalc` runs this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def matcalc_on_path(directory: Path) -> dict[str, str]:
    """An environment whose PATH starts with a `matcalc` that runs this checkout."""
    script = directory / "matcalc"
    script.write_text("#!/bin/sh\n"
                      f"PYTHONPATH={shlex.quote(str(ROOT))}${{PYTHONPATH:+:$PYTHONPATH}} "
                      f"exec {shlex.quote(sys.executable)} -m matcalc \"$@\"\n")
    script.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{directory}{os.pathsep}{env.get('PATH', '')}"
    return env
