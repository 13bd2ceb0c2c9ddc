"""Long questions: answers stay shared and grow linearly, and a long run of terms or factors
reads exactly as it would one operand at a time.

No time limits here (benchmarks/run.py measures speed); sizes are asserted instead.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcalc import derive, parse
from matcalc.errors import MatcalcError
from matcalc.calculus.expr import Inverse, Kron
from matcalc.checking.numeric import evaluate, finite_difference
from matcalc.calculus.simplify import transpose


SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def name(i: int) -> str:
    """A_i as printed: A₁₂"""
    return "A" + str(i).translate(SUBSCRIPT)


def product(k: int) -> str:
    """A₁A₂⋯A_k X"""
    return " ".join(f"A{i}" for i in range(1, k + 1)) + " X"


def nested_inverses(k: int) -> str:
    """inv(inv(⋯inv(X + A₁)⋯ + A_{k−1}) + A_k): each level contains the one before."""
    text = "X + A1"
    for i in range(2, k + 1):
        text = f"inv({text}) + A{i}"
    return f"inv({text})"


def trace_of_sum(k: int) -> str:
    """tr(A₁X + ⋯ + A_kX)"""
    return "tr(" + " + ".join(f"A{i} X" for i in range(1, k + 1)) + ")"


def dag_size(e) -> int:
    """Distinct nodes plus the edges between them: shared subexpressions count once."""
    seen, stack, edges = set(), [e], 0
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            edges += len(node.children)
            stack.extend(node.children)
    return len(seen) + edges


def tree_size(e, memo=None) -> int:
    """The same answer written out as a tree, every shared subexpression repeated."""
    memo = {} if memo is None else memo
    if id(e) not in memo:
        memo[id(e)] = 1 + sum(tree_size(c, memo) for c in e.children)
    return memo[id(e)]


# ── the three large questions ───────────────────────────────────────────────────────────

def test_a_product_of_200_factors():
    d = derive(product(199), "X")
    factors = "".join(name(i) for i in range(1, 200))
    assert d.unicode == f"I ⊗ {factors}"


def test_100_nested_inverses():
    d = derive(nested_inverses(100), "X")
    # ∂M⁻¹ = −(M⁻ᵀ ⊗ M⁻¹)∂M a hundred times over: the signs cancel, and the mixed product
    # gathers the hundred inverses on each side of one Kronecker product
    assert isinstance(d.jacobian, Kron)
    left, right = d.jacobian.left, d.jacobian.right
    assert len(left.factors) == len(right.factors) == 100
    assert all(isinstance(f, Inverse) for f in right.factors)
    assert list(left.factors) == [transpose(f) for f in right.factors]  # M⁻ᵀ ⋯ ⊗ M⁻¹ ⋯


def test_the_trace_of_a_sum_of_500_terms():
    d = derive(trace_of_sum(500), "X")
    terms = " + ".join(name(i) + "ᵀ" for i in range(1, 501))
    assert d.unicode == f"vecᵀ({terms})"


@pytest.mark.parametrize("family, small, large", [
    (product, 500, 1000),
    (nested_inverses, 99, 198),
    (trace_of_sum, 250, 500),
])
def test_answers_grow_linearly(family, small, large):
    """Twice the question, at most about twice the answer (counted with sharing)."""
    a, b = derive(family(small), "X"), derive(family(large), "X")
    assert dag_size(b.jacobian) / dag_size(a.jacobian) < 2.5
    assert dag_size(b.expr) / dag_size(a.expr) > 1.9  # the question did double


def test_nested_inverses_stay_shared():
    """Written out, the answer repeats each inner inverse in every outer one, k² in all;
    as a tree of shared nodes it holds each once."""
    d = derive(nested_inverses(100), "X")
    assert tree_size(d.jacobian) > 20 * dag_size(d.jacobian)


@pytest.mark.parametrize("text", [product(12), nested_inverses(6), trace_of_sum(12)])
def test_the_families_are_right_numerically(text):
    d = derive(text, "X")
    rng = np.random.default_rng(3)
    env = {name: 1.5 * np.eye(3) + 0.3 * rng.standard_normal((3, 3)) for name in d.names}
    expected = finite_difference(d.expr, d.wrt, env, {"n": 3})
    assert np.allclose(evaluate(d.jacobian, env, {"n": 3}), expected, rtol=1e-5, atol=1e-7)


# ── a run read whole is a run read one operand at a time ─────────────────────────────────

OPERANDS = ["A", "B", "x", "y", "a^T", "2", "t", "X", "(A + B)", "(a^T x)", "tr(A)", "1/2"]
SHAPES = {"X": ("n", "m"), "t": (1, 1), "A": ("n", "n"), "B": ("n", "n"), "x": "n", "y": "n",
          "a": "n"}  # all given: a run and its bracketed twin then have one reading


def left_to_right(operands: list[str], operators: list[str]) -> str:
    """((t₁ op t₂) op t₃) ⋯: the run with each partial result in parentheses."""
    text = operands[0]
    for op, operand in zip(operators, operands[1:]):
        text = f"({text}{op}{operand})"
    return text


def reading(text: str):
    try:
        return parse(text, SHAPES)
    except MatcalcError as err:
        return type(err).__name__  # the message names the operands as written, brackets and all


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_run_reads_as_it_would_one_operand_at_a_time(data):
    level = data.draw(st.sampled_from([[" + ", " - "], [" ", " * ", " @ ", " / "]]))
    length = data.draw(st.integers(2, 7))
    operands = data.draw(st.lists(st.sampled_from(OPERANDS), min_size=length, max_size=length))
    operators = data.draw(st.lists(st.sampled_from(level), min_size=length - 1,
                                   max_size=length - 1))
    whole = operands[0] + "".join(op + t for op, t in zip(operators, operands[1:]))
    assert reading(whole) == reading(left_to_right(operands, operators))


def test_a_shape_error_in_a_run_points_at_its_operator():
    with pytest.raises(MatcalcError) as sum_error:
        parse("A + B + x + C")
    assert str(sum_error.value).splitlines()[-1].index("^") == 2 + len("A + B ")
    with pytest.raises(MatcalcError) as product_error:
        parse("A B x C D")
    assert str(product_error.value).splitlines()[-1].index("^") == 2 + len("A B x ")
