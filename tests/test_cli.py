"""The command line: `matcalc derive` in every format and layout, the README's examples, and
bad input, which always ends in a short message on stderr and exit status 2."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from finite_differences import eval_numpy_code, fd_jacobian, relative_error
from matcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2 mixes the streams by default
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, list(args))


def run_process(*args: str) -> subprocess.CompletedProcess:
    """matcalc as a user runs it: a real process, its own exit status and streams."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-m", "matcalc", *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=60)


def derive(*args: str) -> str:
    result = run("derive", *args)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert result.stderr == ""
    return result.stdout


# ── good input ────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("args, expected", [
    (["inv(A)", "A"], "−(A⁻ᵀ ⊗ A⁻¹)"),
    (["inv(A)"], "−(A⁻ᵀ ⊗ A⁻¹)"),                                 # WRT: the only name
    (["det(A)", "A"], "|A| vecᵀ(A⁻ᵀ)"),
    (["d ln|A| / dA"], "vecᵀ(A⁻ᵀ)"),                                # WRT: in the question
    (["∂tr(AᵀB)/∂B"], "vecᵀ(A)"),
    (["inv(A)", "A", "--format", "unicode"], "−(A⁻ᵀ ⊗ A⁻¹)"),
    (["inv(A)", "A", "--format", "ascii"], "-(A^-T (x) A^-1)"),
    (["inv(A)", "A", "--format", "latex"], r"-(A^{-\top} \otimes A^{-1})"),
    (["d logdet(X^T X) / dX", "--shape", "X=m,n"], "2vecᵀ(X(XᵀX)⁻¹)"),
    (["d logdet(X^T X) / dX", "--shape", "X=m,n", "--layout", "gradient"], "2X(XᵀX)⁻¹"),
    (["X^T X", "X", "--shape", "X=m,n"], "(Iₙₙ + K)(Iₙ ⊗ Xᵀ)"),
    (["X^T", "X", "--shape", "X=m,n"], "Kₘₙ"),
    (["a^T X b", "X", "--shape", "X=m,n", "--shape", "a=m", "--layout", "gradient"], "abᵀ"),
    (["t A", "t", "--shape", "t=1,1"], "vec(A)"),
    (["x^T A x", "x", "--layout", "gradient"], "(A + Aᵀ)x"),
    (["tr(X^T A X)", "X", "--layout", "gradient", "--format", "latex"],
     r"(A + A^{\top}) X"),
])
def test_derive(args, expected):
    assert derive(*args) == expected + "\n"


def test_numpy_jacobian_evaluates_to_the_jacobian():
    code = derive("A X B", "X", "--shape", "X=m,n", "--shape", "A=p,m", "--shape", "B=n,q",
                  "--format", "numpy").strip()
    rng = np.random.default_rng(3)
    env = {"A": rng.standard_normal((2, 4)), "X": rng.standard_normal((4, 3)),
           "B": rng.standard_normal((3, 5))}
    J = eval_numpy_code(code, env)
    assert J.shape == (2 * 5, 4 * 3)
    expected = fd_jacobian(lambda v: v["A"] @ v["X"] @ v["B"], env, "X")
    assert relative_error(J, expected) < 1e-6


def test_numpy_gradient_evaluates_to_the_gradient():
    code = derive("logdet(X^T X)", "X", "--shape", "X=m,n", "--format", "numpy",
                  "--layout", "gradient").strip()
    X = np.random.default_rng(4).standard_normal((5, 3))
    G = eval_numpy_code(code, {"X": X})
    assert G.shape == X.shape
    assert relative_error(G, 2 * X @ np.linalg.inv(X.T @ X)) < 1e-10


@pytest.mark.parametrize("fmt", ["unicode", "ascii", "latex", "numpy"])
@pytest.mark.parametrize("layout", ["jacobian", "gradient"])
def test_every_format_and_layout_prints_one_line(fmt, layout):
    out = derive("exp(a^T inv(X) b)", "X", "--format", fmt, "--layout", layout)
    assert out.endswith("\n") and out.count("\n") == 1
    if fmt != "unicode":
        assert out.isascii()


def test_rules_lists_the_table():
    result = run("rules")
    assert result.exit_code == 0
    for rule in ("product rule", "inverse rule", "determinant rule", "trace rule"):
        assert rule in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["derive", "--help"], ["rules", "--help"]])
def test_help(args):
    result = run(*args)
    assert result.exit_code == 0 and "Usage:" in result.stdout


def _readme_examples():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n(.*?)```", text, re.S).group(1)
    examples, current = [], None
    for line in block.splitlines():
        if line.startswith("$ matcalc "):
            current = (shlex.split(line[len("$ matcalc "):]), [])
            examples.append(current)
        elif current is not None:
            current[1].append(line)
    return [pytest.param(args, "\n".join(out), id=" ".join(args)) for args, out in examples]


@pytest.mark.parametrize("args, expected", _readme_examples())
def test_readme_shows_real_output(args, expected):
    result = run(*args)
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n") == expected


# ── bad input: exit 2, a short message on stderr, never a traceback ───────────────────

BAD = [
    (["A X", "X", "--shape", "X=m,n", "--shape", "A=m,n"], "cannot multiply A (m×n) by X (m×n)"),
    (["det(X)", "X", "--shape", "X=m,n"], "the determinant needs a square matrix, but X (m×n)"),
    (["inv(X)", "--shape", "X=m,n"], "the inverse needs a square matrix, but X (m×n)"),
    (["A + X", "X", "--shape", "X=m,n", "--shape", "A=n,n"], "cannot add A (n×n) and X (m×n)"),
    (["tr(A X B)"], "the variables A, X, B"),
    (["foo(A)", "A"], "unknown function 'foo'"),
    (["A +", "A"], "expected an expression"),
    (["(A", "A"], "expected ')'"),
    ([""], "expected an expression"),
    (["A $ B", "A"], "unexpected character '$'"),
    (["A \x07 B", "A"], "unexpected character U+0007"),
    (["inv(A, B)", "A"], "inv takes 1 argument"),
    (["A/B", "A"], "can only divide by a scalar"),
    (["A^x", "A"], "needs a scalar base"),
    (["t^{1/2} A^{1/2}", "A", "--shape", "t=1,1"], "integer power"),
    (["X", "X", "--shape", "X=0,1"], "bad shape X=0,1"),
    (["X", "X", "--shape", "X"], "bad --shape 'X'"),
    (["A B", "A", "--layout", "gradient"], "gradient layout needs a scalar expression"),
    (["A", "1A"], "'1A' is not a variable name"),
    (["d A / dA", "B"], "differentiates by A, but B was also given"),
    (["2"], "no variables"),
    (["(" * 1000 + "A" + ")" * 1000, "A"], "nests more than"),
    (["A + " * 60_000 + "A", "A"], "matcalc reads at most"),
    (["__import__('os').system('echo hacked')", "x"], "unexpected character"),
]


def _ids(case):
    text = " ".join(case[0])
    return text if len(text) < 40 else text[:37] + "…"


@pytest.mark.parametrize("args, message", BAD, ids=[_ids(c) for c in BAD])
def test_bad_input(args, message):
    result = run("derive", *args)
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)  # not an escaped Python exception
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.stderr
    # one line, or one line and the input with a caret under the place
    assert len(lines) in (1, 3)
    if len(lines) == 3:
        assert set(lines[2].strip()) == {"^"}


@pytest.mark.parametrize("args", [
    ["derive", "A", "A", "--format", "pdf"],
    ["derive", "A", "A", "--layout", "sideways"],
    ["derive", "A", "A", "--bogus"],
    ["derive"],
    ["derive", "A", "A", "extra"],
    ["nosuchcommand"],
])
def test_usage_errors_exit_2_without_a_traceback(args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr or "error:" in result.stderr


# ── as a real process ─────────────────────────────────────────────────────────────────

def test_process_prints_the_answer():
    done = run_process("derive", "inv(A)", "A")
    assert (done.returncode, done.stdout, done.stderr) == (0, "−(A⁻ᵀ ⊗ A⁻¹)\n", "")


def test_process_bad_input():
    done = run_process("derive", "det(X)", "X", "--shape", "X=m,n")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: the determinant needs a square matrix")
    assert "Traceback" not in done.stderr


def test_process_never_runs_the_input():
    done = run_process("derive", "__import__('os').system('echo hacked')", "x")
    assert done.returncode == 2
    assert "hacked" not in done.stdout


@pytest.mark.parametrize("args, answer", [
    (["derive", "-A - 2*A^T", "A"], "−(I + 2K)"),
    (["derive", "--format=ascii", "-A", "A"], "-I"),
    (["derive", "-A", "A", "--format", "ascii"], "-I"),
    (["derive", "--", "-A", "A"], "−I"),
])
def test_an_expression_may_start_with_a_minus(args, answer):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == answer


def test_a_misspelt_option_is_still_an_error():
    result = CliRunner().invoke(main, ["derive", "-A", "A", "--fromat", "latex"])
    assert result.exit_code == 2
    assert "--fromat" in result.output


def test_a_reader_that_stops_early_is_not_an_internal_error():
    """`matcalc verify | head -c 1`: the closed pipe ends matcalc quietly."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    run = subprocess.run(f"'{sys.executable}' -m matcalc verify --size 3 | head -c 1", shell=True, env=env,
                         capture_output=True, text=True, timeout=60)
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


def test_the_expression_may_come_from_standard_input():
    """Long questions do not fit on a command line (about 128 kB an argument): EXPR "-" reads stdin."""
    assert CliRunner().invoke(main, ["derive", "-", "A"], input="inv(A)\n").output.strip() == \
        "−(A⁻ᵀ ⊗ A⁻¹)"
    long = "+".join(f"A{i}" for i in range(2000)) + "+X"
    result = CliRunner().invoke(main, ["derive", "-", "X"], input=long)
    assert result.exit_code == 0 and result.output.strip() == "I"
