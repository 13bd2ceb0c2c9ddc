"""matcalc: matrix derivatives in the notation of matrix differential calculus.

    >>> from matcalc import derive
    >>> d = derive("logdet(X^T X)", "X", shapes={"X": ("m", "n")})
    >>> d.unicode, d.latex, d.numpy          # the Jacobian as text, LaTeX, NumPy code
    >>> d.gradient                           # G, with ∂f/∂X = vecᵀ(G), for a scalar f
    >>> d.to_numpy()(X=x), d.to_sympy()      # a function of arrays; a sympy expression

Importing matcalc imports neither numpy nor sympy; `to_numpy` and `to_sympy` do, when called.
"""
from .api import Derivative, derive, parse
from .errors import MatcalcError
from .expr import Expr

__all__ = ["derive", "parse", "Derivative", "Expr", "MatcalcError"]
__version__ = "0.1.0"
