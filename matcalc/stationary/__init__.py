"""Stationary points in closed form: derive the gradient G(X) of a scalar f, set it to zero
and solve for X — least squares, ridge, the Gaussian's mean and covariance, Sylvester
equations. Equations without a closed form are refused (Unsolvable, exit status 1).

    >>> from matcalc import solve
    >>> s = solve("norm(A x - b)^2", "x")
    >>> s.equation()            # 'x = (AᵀA)⁻¹Aᵀb'
    >>> s.to_numpy()(A=a, b=b)  # x* as an array
"""
from __future__ import annotations

from ..errors import MatcalcError, UsageError
from ..calculus.expr import _describe
from .equation import solve_gradient
from .expand import Unsolvable
from .probe import SYMMETRIC
from .solution import FORMATS, Solution, folded

__all__ = ["solve", "Solution", "Unsolvable", "FORMATS"]


def solve(text: str, wrt: str | None = None, shapes: dict | None = None, symmetric=()) -> Solution:
    """Solve ∂f/∂X = 0 for X in closed form; `symmetric` as for derive (True: X itself)."""
    from ..api import derive
    d = derive(text, wrt, shapes, symmetric=symmetric)
    known = frozenset({d.wrt.name} if symmetric is True else {symmetric}
                      if isinstance(symmetric, str) else set(symmetric))
    token = SYMMETRIC.set(known)  # the probe for singular matrices draws these symmetric
    try:
        return _solve(d, known)
    finally:
        SYMMETRIC.reset(token)


def _solve(d, known: frozenset) -> Solution:
    from ..calculus.simplify import add, simplify, transpose
    from ..calculus.symmetric import assume_symmetric
    if not d.expr.is_scalar:
        raise UsageError(f"solve sets the gradient of a scalar function to zero, but "
                         f"{_describe(d.expr)} is not a scalar")
    x = d.wrt
    names = d.names
    sym = x.name in known
    if sym:
        G = simplify(assume_symmetric(d.unconstrained.gradient, known))
        result = solve_gradient(G, x)
        if not _symmetric_solution(result, known):
            # the gradient by a symmetric X, G + Gᵀ − G ∘ I, vanishes exactly where G + Gᵀ does
            both = simplify(assume_symmetric(add(G, transpose(G)), known))
            first = result.steps[0]
            result = solve_gradient(both, x)
            symmetric_step = result.steps[0]
            symmetric_step.why = f"{x.name} symmetric: its gradient is zero where G + Gᵀ is"
            result.steps = [first, symmetric_step, *result.steps[1:]]
            if not _symmetric_solution(result, known):
                raise Unsolvable(f"matcalc finds no solution of G + Gᵀ = 0 that it can show to "
                                 f"be symmetric, as {x.name} must be")
        hessian = _hessian(lambda: d.unconstrained.second().jacobian, known)
    else:
        G = d.gradient
        if G is None:
            raise MatcalcError("matcalc could not write this gradient as a matrix")
        if known:
            G = simplify(assume_symmetric(G, known))
        result = solve_gradient(G, x)
        hessian = _hessian(lambda: d.second().jacobian, known)
    memo: dict = {}
    for step in result.steps:
        step.lhs, step.rhs = folded(step.lhs, memo), folded(step.rhs, memo)
    result.lhs, result.rhs = folded(result.lhs, memo), folded(result.rhs, memo)
    return Solution(d.expr, x, result.steps[0].lhs, result, hessian, names, sym)


def _hessian(second, known: frozenset):
    """The Hessian, for the second-order condition; None when matcalc cannot write it, and the
    point is then only called stationary."""
    from ..calculus.simplify import simplify
    from ..calculus.symmetric import assume_symmetric
    try:
        return simplify(assume_symmetric(second(), known))
    except MatcalcError:
        return None


def _symmetric_solution(result, known: frozenset) -> bool:
    """X = S with S symmetric by its form, or a Sylvester equation AX + XAᵀ = C with C
    symmetric, whose unique solution is symmetric (its transpose solves it too)."""
    from ..calculus.simplify import transpose
    from ..calculus.symmetric import is_symmetric

    def symmetric(e) -> bool:
        return is_symmetric(e, known) or transpose(e) is e
    if result.kind == "direct":
        return symmetric(result.rhs)
    if result.kind == "sylvester":
        left, right, constant = result.parts
        from collections import Counter

        from ..calculus.expr import Add

        def terms(e) -> Counter:
            return Counter(e.terms if isinstance(e, Add) else (e,))
        return terms(transpose(left)) == terms(right) and symmetric(constant)
    return False
