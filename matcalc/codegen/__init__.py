"""Code generation: answers lowered to straight-line programs (lower.py) of operations that
print as NumPy code and run as the same calls (program.py, ops.py), emitted as one
expression, a Python module, or a callable (emit.py).

    question, answer (simplified) → lower → program → expression | module | callable
"""
from __future__ import annotations

from .emit import Compiled, compile_outputs, numpy_expression, python_module, runner

__all__ = ["Compiled", "compile_outputs", "numpy_expression", "python_module", "runner",
           "outputs", "compile_derivative"]


def outputs(d) -> list:
    """What a Derivative's function returns, as (kind, tree): the value, and the gradient
    (and Hessian, at order 2) of a scalar, or the Jacobian of a matrix."""
    from ..calculus.simplify import simplify
    value = ("value", simplify(d.expr))
    if d.order == 2:
        first = d.first
        return [value, ("gradient", first.gradient), ("hessian", d.jacobian)]
    if d.expr.is_scalar and _gradient(d) is not None:
        return [value, ("gradient", d.gradient)]
    return [value, ("jacobian", d.jacobian)]


def _gradient(d):
    """G, or None when the answer cannot be written as a gradient matrix."""
    from ..errors import MatcalcError
    try:
        return d.gradient
    except MatcalcError:
        return None


def compile_derivative(d) -> Compiled:
    return compile_outputs(d.names, d.wrt, outputs(d))
