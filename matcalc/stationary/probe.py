"""Is a matrix singular for every value of its names? Asked of each matrix a closed form
inverts: some are singular by their form in ways no rule sees (the operator X ↦ AX − XA has
the kernel span{I, A, A², …}, so its vec matrix I ⊗ A − Aᵀ ⊗ I is singular for every A).
Evaluated at random values, with the sizes equal, rising and falling (AᵀA needs A tall),
such a matrix is singular every time; a matrix that is invertible for almost all values is
not (random values hit a singular one with probability zero)."""
from __future__ import annotations

from contextvars import ContextVar

from ..calculus.expr import Expr, variables

SYMMETRIC: ContextVar[frozenset] = ContextVar("symmetric", default=frozenset())
SINGULAR = 1e11  # a condition number beyond this, at both sizes, is singularity


def singular_everywhere(e: Expr) -> bool:
    """True when e is numerically singular at random values, whatever the sizes."""
    import numpy as np

    from ..checking.numeric import dim_value, evaluate
    names = variables(e)
    symbols = sorted({s for v in names.values() for d in v.shape for s in d.symbols}
                     | {s for d in e.shape for s in d.symbols})
    count = len(symbols)
    orders = ([3] * count, [3 + k for k in range(count)], [3 + count - k for k in range(count)])
    for seed, order in enumerate(orders):  # sizes equal, rising, falling: A m×n tall or wide
        rng = np.random.default_rng(seed)
        sizes = dict(zip(symbols, order))
        env = {}
        for name, var in names.items():
            shape = tuple(dim_value(d, sizes) for d in var.shape)
            value = rng.uniform(1, 2, shape) if shape == (1, 1) else rng.standard_normal(shape)
            if name in SYMMETRIC.get() and shape[0] == shape[1]:
                value = (value + value.T) / 2
            env[name] = value
        try:
            with np.errstate(all="ignore"):
                value = np.atleast_2d(evaluate(e, env, sizes))
                if value.shape[0] != value.shape[1] or not np.all(np.isfinite(value)):
                    return False
                if np.linalg.cond(value) < SINGULAR:
                    return False
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, KeyError):
            return False  # not a question this probe can answer: no claim
    return True
