"""Inputs the fuzzer found mishandled, each kept as a test beside the fix."""
import numpy as np
import pytest
from click.testing import CliRunner

from matcalc import derive, parse
from matcalc.cli import main

from finite_differences import eval_numpy_code


def test_a_number_does_not_swallow_the_dot_of_an_element_wise_operator():
    """X.^2.^3 was read as X.^(2.) ^ 3, a matrix power of X.^2, because "2." is a number."""
    assert parse("X.^2.^3") is parse("(X.^2).^3")
    assert derive("X.^2.^3", "X").unicode == derive("X.^6", "X").unicode == "6diag(vec(X.^5))"
    assert parse("2.*X") is parse("2 .* X")
    assert parse("2. X") is parse("2 X") and parse("X.^2.5") is parse("X.^(5/2)")


# ── the examples, each a clear answer or a clear message, never an internal error ──

EXAMPLES = [
    (["derive", "inv(2 + t)", "t", "--shape", "t=1,1", "--steps"], 0),
    (["derive", "t^2/2", "t", "--shape", "t=1,1", "--steps"], 0),
    (["derive", "exp(t)/3", "t", "--shape", "t=1,1", "--steps"], 0),
    (["derive", "sqrt(t)/2", "t", "--shape", "t=1,1", "--steps"], 0),
    (["derive", "sqrt(t)/2", "t", "--shape", "t=1,1", "--steps", "--format", "ascii"], 0),
    (["check", "logdet(X)", "X", "--claim", "inv(X)^T", "--shape", "X=100000,100000"], 2),
    (["check", "inv(X)", "X", "--claim", "-kron(inv(X)^T, inv(X))", "--shape", "X=3000,3000"], 2),
    (["verify", "inv(X)", "X", "--shape", "X=100000,100000"], 2),
    (["verify", "--size", "4000"], 2),
    (["derive", "tr(X)", "X", "--symmetric", "Y"], 0),
]


@pytest.mark.parametrize("args, status", EXAMPLES, ids=[" ".join(a) for a, _ in EXAMPLES])
def test_examples_end_in_an_answer_or_a_message(args, status):
    result = CliRunner().invoke(main, ["--debug", *args])
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    if status == 2:
        assert result.stderr.startswith("error: ") and result.stdout == ""


@pytest.mark.parametrize("args", [["2", "X", "--symmetric", "X"],
                                  ["0.25", "X", "--order", "2", "--symmetric", "X"],
                                  ["tr(X)", "X", "--order", "2", "--symmetric", "X"],
                                  ["A", "X", "--symmetric", "X"]])
def test_numpy_code_of_a_zero_by_a_symmetric_variable_runs(args):
    result = CliRunner().invoke(main, ["derive", *args, "--format", "numpy"])
    assert result.exit_code == 0
    env = {"X": np.eye(3), "A": np.ones((3, 3))}
    value = eval_numpy_code(result.stdout.strip(), env)
    assert not np.any(value) and value.shape[1] == 6
