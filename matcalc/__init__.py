"""matcalc: matrix derivatives in the notation of matrix differential calculus.

    >>> from matcalc import derive
    >>> d = derive("logdet(X^T X)", "X", shapes={"X": ("m", "n")})
    >>> d.unicode, d.latex, d.numpy          # the Jacobian as text, LaTeX, NumPy code
    >>> d.gradient                           # G, with ∂f/∂X = vecᵀ(G), for a scalar f
    >>> d.to_numpy()(X=x), d.to_sympy()      # a function of arrays; a sympy expression
    >>> solve("norm(A x - b)^2", "x")         # the gradient set to zero: x = (AᵀA)⁻¹Aᵀb

Importing matcalc imports neither numpy nor sympy; `to_numpy` and `to_sympy` do, when called.
"""
from .api import Derivative, derive, parse
from .errors import MatcalcError
from .calculus.expr import Expr

__all__ = ["derive", "parse", "Derivative", "Expr", "MatcalcError", "solve", "Solution"]
__version__ = "0.1.0"


def solve(text: str, wrt: str | None = None, shapes: dict | None = None, symmetric=()):
    """Set the gradient of the scalar `text` by `wrt` to zero and solve for it in closed form:
    a matcalc.stationary.Solution (x = (AᵀA)⁻¹Aᵀb, …). Raises matcalc.stationary.Unsolvable
    when there is no closed form or no stationary point. Imports the solver only when called."""
    from .stationary import solve as solve_stationary
    return solve_stationary(text, wrt, shapes, symmetric)


def __getattr__(name: str):
    if name == "Solution":
        from .stationary import Solution
        return Solution
    raise AttributeError(f"module 'matcalc' has no attribute {name!r}")
