"""Output that cannot be written is an I/O error (exit status 1, one message), not a bug."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from external import ROOT

COMMANDS = [
    ["derive", "inv(A)", "A"],                       # the quick path, which never loads click
    ["derive", "inv(A)", "A", "--steps"],
    ["derive", "inv(A)", "A", "--document"],
    ["derive", "inv(A)", "A", "--format", "sympy"],
    ["rules"],
    ["--help"],
    ["derive", "--help"],
    ["completion", "bash"],
    ["verify", "--size", "2"],
]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_full_disk_is_reported_as_such(args):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "matcalc", *args], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr
    assert done.stderr == "error: cannot write the output: No space left on device\n"


def test_a_closed_pipe_is_still_quiet():
    done = subprocess.run(f"{sys.executable} -m matcalc rules | head -c 1 >/dev/null; "
                          "echo ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stderr == ""
    assert done.stdout.strip() in ("0", "141")
