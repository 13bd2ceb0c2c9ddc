"""Clean pipes: no escape codes unless a person is at a terminal that has not set NO_COLOR."""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest
from external import matcalc_env

ESC = "\x1b"
ANSWER = "−(A⁻ᵀ ⊗ A⁻¹)"


def piped(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "matcalc", *args], capture_output=True,
                          env={**matcalc_env(), **env}, timeout=60)


def on_a_terminal(*args: str, **env: str) -> str:
    """Run matcalc with stdout and stderr on a pseudo-terminal; what the terminal shows."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "matcalc", *args], stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower,
                               env={**matcalc_env(), "TERM": "xterm-256color", **env})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode()


# Terminals and CI systems often ask for colour; on a pipe matcalc must not give it.
COLOUR_WANTED = {"FORCE_COLOR": "1", "CLICOLOR_FORCE": "1", "TERM": "xterm-256color",
                 "COLORTERM": "truecolor"}


@pytest.mark.parametrize("args, expected", [
    (["derive", "inv(A)", "A"], ANSWER + "\n"),
    (["derive", "inv(A)", "A", "--format", "latex"], "-(A^{-\\top} \\otimes A^{-1})\n"),
    (["derive", "inv(A)", "A", "--format", "ascii"], "-(A^-T (x) A^-1)\n"),
    (["derive", "det(A)", "A", "--layout", "gradient"], "|A| A⁻ᵀ\n"),
])
def test_a_pipe_gets_the_answer_alone(args, expected):
    run = piped(*args, **COLOUR_WANTED)
    assert run.returncode == 0
    assert run.stdout.decode() == expected
    assert run.stderr == b""


@pytest.mark.parametrize("args", [
    ["derive", "inv(A)", "A", "--format", "numpy"],
    ["derive", "inv(A)", "A", "--document"],
    ["rules"],
    ["completion", "bash"],
    ["--help"],
])
def test_no_escape_codes_on_a_pipe(args):
    run = piped(*args, **COLOUR_WANTED)
    assert run.returncode == 0
    assert run.stdout and ESC.encode() not in run.stdout


def test_errors_on_a_pipe_are_plain():
    run = piped("derive", "inv(A", "A", **COLOUR_WANTED)
    assert run.returncode == 2
    assert run.stdout == b""
    assert ESC.encode() not in run.stderr and b"Traceback" not in run.stderr


def test_a_terminal_shows_the_question_and_the_answer_in_style():
    shown = on_a_terminal("derive", "inv(A)", "A")
    assert ANSWER in shown
    assert "∂A⁻¹/∂A =" in shown
    assert ESC in shown  # dim and bold


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_and_dumb_terminals_get_no_escape_codes(env):
    shown = on_a_terminal("derive", "inv(A)", "A", **env)
    assert ANSWER in shown
    assert ESC not in shown


def test_an_empty_no_color_does_not_count():
    """no-color.org: NO_COLOR takes effect when it is set and not empty."""
    assert ESC in on_a_terminal("derive", "inv(A)", "A", NO_COLOR="")


def test_latex_on_a_terminal_is_the_formula_alone():
    shown = on_a_terminal("derive", "inv(A)", "A", "--format", "latex")
    assert shown.replace("\r\n", "\n") == "-(A^{-\\top} \\otimes A^{-1})\n"


def test_a_long_answer_is_broken_at_its_operators_on_a_terminal():
    """Wider than the window, an answer is broken before a + with a hanging indent, never inside
    a token, and reads the same when its lines are joined again."""
    expr = " + ".join(f"tr(A{i} X)" for i in range(1, 30))
    answer = piped("derive", expr, "X").stdout.decode().strip()
    for env in ({"NO_COLOR": "1"}, {}):
        shown = on_a_terminal("derive", expr, "X", COLUMNS="40", **env)
        lines = re.sub("\x1b\\[[0-9;]*m", "", shown).replace("\r\n", "\n").splitlines()
        start = next(k for k, line in enumerate(lines) if line.startswith("vecᵀ("))
        body = lines[start:]
        assert len(answer) > 80 and len(body) > 2
        assert all(len(line) <= 40 for line in body)
        assert all(line.startswith("    + ") for line in body[1:])
        assert " ".join(line.strip() for line in body) == answer
