"""--spy: the picture of where an answer is not zero, checked against the pattern of the
Jacobian computed by finite differences, which owes nothing to matcalc's rules."""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import checked_point, questions

from matcalc import derive
from matcalc.cli import main
from matcalc.checking.numeric import commutation_matrix, duplication_matrix, finite_difference
from matcalc.render.spy import draw, pattern, spy
from matcalc.checking.verify import random_point, size_values


def read_back(picture: list[str]) -> np.ndarray:
    """The entries of a small picture: "██" filled, "· " empty."""
    body = [line[1:-1] for line in picture[1:-1]]
    return np.array([[row[k:k + 2] == "██" for k in range(0, len(row), 2)] for row in body])


def finite_difference_pattern(text: str, wrt: str, shapes=None) -> np.ndarray:
    d = derive(text, wrt, shapes)
    sizes = size_values(d.names.values(), 3)
    rng = np.random.default_rng(1)
    env = random_point(d.names.values(), sizes, rng, 0)
    J = finite_difference(d.expr, d.wrt, env, sizes)
    return np.abs(J) > 1e-6 * max(1.0, np.abs(J).max())


QUESTIONS = [  # question, WRT, what the answer is: K, diag(vec I), a selection, …
    ("X^T", "X", None),                        # K
    ("X .* I", "X", None),                     # diag(vec I)
    ("diag(X)", "X", None),                    # a selection matrix
    ("X^T", "X", {"X": ("m", "n")}),           # K_mn
    ("kron(A, X)", "X", None),
    ("A X B", "X", {"A": (1, "n")}),
    ("X^T X", "X", {"X": ("m", "n")}),
    ("x x^T", "x", None),
    ("inv(A)", "A", None),
]


@pytest.mark.parametrize("text, wrt, shapes", QUESTIONS)
def test_the_picture_is_the_pattern_of_the_finite_difference_jacobian(text, wrt, shapes):
    d = derive(text, wrt, shapes)
    mask, _ = pattern(d.jacobian, d.names)
    assert np.array_equal(mask, finite_difference_pattern(text, wrt, shapes))
    picture = spy(d.jacobian, d.names).splitlines()
    if mask.shape[0] <= 24 and mask.shape[1] <= 36:
        assert np.array_equal(read_back(picture[1:]), mask)


def test_k_is_a_permutation_and_d_n_duplicates():
    d = derive("X^T", "X")
    assert d.unicode == "K"
    assert np.array_equal(read_back(spy(d.jacobian, d.names).splitlines()[1:]),
                          commutation_matrix(3, 3) != 0)
    sym = derive("X", "X", symmetric=True)
    assert sym.unicode == "Dₙ"
    assert np.array_equal(read_back(spy(sym.jacobian, sym.names).splitlines()[1:]),
                          duplication_matrix(3) != 0)


def test_the_cli_draws_under_the_answer():
    result = CliRunner().invoke(main, ["derive", "X^T", "X", "--spy"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:4] == [
        "K", "at n = 3: 9×9, 9 of 81 entries not zero", "┌" + "─" * 18 + "┐",
        "│██· · · · · · · · │"]
    ascii_art = CliRunner().invoke(main, ["derive", "X .* I", "X", "--spy", "--format", "ascii"])
    assert ascii_art.exit_code == 0 and ascii_art.stdout.isascii()
    assert "|#........|" in ascii_art.stdout and "|........#|" in ascii_art.stdout


@pytest.mark.parametrize("args", [["--steps"], ["--document"], ["--format", "latex"],
                                  ["--format", "numpy"]])
def test_spy_with_what_it_cannot_draw_is_a_usage_error(args):
    result = CliRunner().invoke(main, ["derive", "X^T", "X", "--spy", *args])
    assert result.exit_code == 2 and result.stdout == ""


def test_a_large_answer_is_drawn_small_with_half_blocks():
    d = derive("kron(A, X)", "X", {"A": (5, 5), "X": (5, 5)})  # 625×25
    lines = spy(d.jacobian, d.names).splitlines()
    assert "a cell is 14×1 entries" in lines[0]
    assert len(lines) <= 2 + 24 + 2 and max(map(len, lines)) <= 82
    assert set("".join(lines[2:-1])) <= set("│ ▀▄█")


def test_draw_frames_half_blocks():
    mask = np.zeros((100, 3), dtype=bool)
    mask[0, 0] = mask[99, 2] = True
    lines = draw(mask)
    assert lines[0] == "┌───┐" and lines[-1] == "└───┘"
    assert lines[1] == "│▀  │"


def test_an_answer_too_large_to_evaluate_is_refused_before_any_work():
    result = CliRunner().invoke(main, ["derive", "inv(X)", "X", "--spy", "--shape", "X=100,100"])
    assert result.exit_code == 2
    assert "the answer is 10000×10000 at these sizes, too large to draw" in result.stderr


@settings(max_examples=25, deadline=None)
@given(questions(), st.integers(0, 2**16))
def test_no_entry_the_true_jacobian_has_is_drawn_empty(q, seed):
    """On random questions: wherever the finite-difference Jacobian is clearly not zero, the
    picture is filled (an empty cell would claim a zero the function does not have)."""
    env, F, J = checked_point(q, seed)
    d = derive(q.text, q.wrt, q.shapes)
    mask, sizes = pattern(d.jacobian, d.names)
    assert mask.shape == J.shape
    clearly = np.abs(J) > 1e-4 * max(1.0, float(np.abs(J).max()))
    assert not np.any(clearly & ~mask), f"{q.text!r} by {q.variable}: {d.unicode}"
