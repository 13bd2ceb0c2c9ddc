"""An answer as a Python function of NumPy arrays: values for code, without writing code.

    >>> J = derive("inv(A)", "A").to_numpy()
    >>> J(A=np.array([[2.0, 1.0], [1.0, 1.0]]))      # a 4×4 array

The function takes the expression's names as keyword arguments (a dict works as
`J(**values)`), bound to arrays: matrices 2-D, vectors (n, 1) or 1-D, scalars as numbers.
Sizes (n, m) are read off the arrays, which must agree with each other. It evaluates the tree
with matcalc.checking.numeric.evaluate; no code is generated or run.
"""
from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from ..calculus.dims import shape_str
from ..errors import MatcalcError
from ..calculus.expr import Expr, Var
from .numeric import dim_value, evaluate, sizes_from


def _array(var: Var, value) -> np.ndarray:
    """The value as a 2-D float array in var's orientation (a 1-D vector becomes a column)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise MatcalcError(f"{var.name} must be an array of numbers, given "
                           f"{type(value).__name__}") from None
    if array.ndim == 0 or (array.ndim == 1 and var.shape[1].is_one):
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise MatcalcError(f"{var.name} must be a 2-D array, given {array.ndim} dimensions")
    return array


def _check_shapes(arrays: dict[str, np.ndarray], names: dict[str, Var]) -> dict[str, int]:
    """The size symbols' values; an error names the first array that disagrees."""
    sizes = sizes_from(arrays, names)
    for name, var in names.items():
        expected = tuple(dim_value(d, sizes) for d in var.shape)
        if arrays[name].shape != expected:
            raise MatcalcError(f"{name} is {shape_str(var.shape)}, which makes it "
                               f"{expected[0]}×{expected[1]} here, but the array given is "
                               f"{arrays[name].shape[0]}×{arrays[name].shape[1]}")
    return sizes


def _keywords(values: dict, names: dict[str, Var], what: str, vanished=()) -> None:
    """A TypeError naming unknown and missing names; a name the question read but that
    vanished from it (Q in Q^0) may be given, and is ignored."""
    unknown = sorted(set(values) - set(names) - set(vanished))
    missing = [name for name in names if name not in values]
    if unknown or missing:
        problems = ([f"unknown name{'s' * (len(unknown) > 1)} {', '.join(unknown)}"]
                    if unknown else [])
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        raise TypeError(f"{what}: {'; '.join(problems)} "
                        f"(it takes {', '.join(names)} as keyword arguments)")


def numpy_function(e: Expr, names: dict[str, Var], what: str) -> Callable[..., np.ndarray]:
    """A function of `names` (keyword arguments) returning e's value as a 2-D array."""
    def function(**values) -> np.ndarray:
        _keywords(values, names, what)
        arrays = {name: _array(var, values[name]) for name, var in names.items()}
        return evaluate(e, arrays, _check_shapes(arrays, names))

    function.__name__ = function.__qualname__ = "derivative"
    function.__doc__ = (f"The {what} as a 2-D array, of the keyword arguments "
                        f"{', '.join(names)} bound to arrays.")
    function.__signature__ = inspect.Signature(
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in names])
    return function
