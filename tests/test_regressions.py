"""Small cases that once went wrong, each checked by its printed answer and by numbers."""
from __future__ import annotations

import numpy as np
import pytest

from finite_differences import SIZES, check_derivative, random_point
from matcalc import derive
from matcalc.checking.numeric import evaluate

CASES = [
    # tr(A ⊗ B) = tr(A)tr(B) holds for square A and B only; a ⊗ bᵀ = abᵀ is square, a is not
    ("tr(a ⊗ b^T)", "a", {}, "bᵀ"),
    ("tr(b^T ⊗ a)", "b", {}, "aᵀ"),
    # factoring D out of tD + D left (I + tI)D, then factored I out of that, forever
    ("t*D + D", "t", {"t": (1, 1)}, "vec(D)"),
    ("tr(t*D - D)", "D", {"t": (1, 1)}, "(t − 1) vecᵀ(I)"),
    # factoring the scalar t out of t·e + t left an empty product
    ("t*exp(-t) + t", "t", {"t": (1, 1)}, "exp(−t) + 1 − t exp(−t)"),
    # a scalar run bᵀDᵀb spliced into a chain hid vecᵀ(I) from the rules that absorb it
    ("<<X, X> ⊗ b ⊗ b^T, D>", "X", {"X": ("m", "n"), "D": ("m", "m"), "b": "m"},
     "2(bᵀDᵀb) vecᵀ(X)"),
    # the mixed product (I ⊗ bᵀ)(I ⊗ b) = I ⊗ bᵀb = (bᵀb)I lost its I, leaving a 1×1 answer
    ("(a ⊗ b^T) * b", "a", {"b": "m"}, "(bᵀb)I"),
    ("(a ⊗ b^T) * b + a", "a", {"b": "m"}, "(1 + bᵀb)I"),
    # a number every term shares, or the sign of an all-negative sum, comes out in front
    ("((-(2*(2*X)))' - X^T) * X", "X", {}, "−5(Iₙₙ + K)(Iₙ ⊗ Xᵀ)"),
    ("-vec(a) - 3 t a", "a", {"t": (1, 1)}, "−(1 + 3t)I"),
    ("-A - 2*A^T", "A", {}, "−(I + 2K)"),
    ("-(X + X^T)/2 - X", "X", {}, "−I − (I + K)/2"),
]


@pytest.mark.parametrize("expr, wrt, shapes, unicode", CASES)
def test_fixed(expr, wrt, shapes, unicode):
    d = derive(expr, wrt, shapes)
    assert d.unicode == unicode
    env = random_point(d.names, np.random.default_rng(7), SIZES)
    check_derivative(d, lambda values: evaluate(d.expr, values, SIZES), env)


def test_sympy_form_takes_scalars_out_of_kronecker_products():
    """sympy's KroneckerProduct failed on (aᵀXᵀa)aaᵀ ⊗ I with a symbolic scalar inside."""
    d = derive("(X a a^T)^2", "X")
    assert d.unicode == "aaᵀ ⊗ Xaaᵀ + (aᵀXᵀa)aaᵀ ⊗ I"
    code = d.render("sympy")
    assert "sp.Trace(a.T*X.T*a)*(sp.KroneckerProduct(a*a.T, sp.Identity(n)))" in code
