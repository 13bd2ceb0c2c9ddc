"""Programs for answers: one NumPy expression, a Python module, or a callable that runs the
same program (what `to_numpy` and `value_and_grad` return)."""
from __future__ import annotations

import keyword
import re

from ..calculus.dims import Dim, shape_str
from ..errors import LimitError, MatcalcError
from ..calculus.expr import Expr, Var
from ..limits import MAX_ARRAY_BYTES, memory_text
from ..render.numpy import NumpyPrinter
from .lower import Lowering

RESERVED = {"np", "scipy"}


def _check_names(names: dict[str, Var], fmt: str) -> None:
    clashes = [n for n in names if keyword.iskeyword(n) or n in RESERVED]
    if clashes:
        raise MatcalcError(f"the name {clashes[0]} cannot be used in Python code; "
                           f"rename it to get {fmt}")


def _temporaries(names: dict[str, Var], count: int = 10_000):
    """t0, t1, … (or _t0, … when a name of the question looks like one)."""
    prefix = "t"
    while any(re.fullmatch(re.escape(prefix) + r"\d+", n) for n in names):
        prefix = "_" + prefix
    return (f"{prefix}{k}" for k in range(count))


def numpy_expression(e: Expr, names: dict[str, Var]) -> str:
    """e as one NumPy expression; a value used more than once is bound once with `:=`.
    Vectors may be given 1-D: each is read as a column first."""
    _check_names(names, "--format numpy")
    lowering = Lowering(names, [e], scipy=False, column_inputs=True)
    lowering.output(e)
    code = lowering.program.expression(lowering.printer.dim, list(_temporaries(names, 
                                                                                  len(lowering.program.instrs))))
    return f"np.atleast_2d({code})" if e.is_scalar else code


class Compiled:
    """A program for a question's value and derivatives, and what its outputs are: kinds
    "value", "gradient", "hessian", "jacobian", and their trees."""

    def __init__(self, lowering: Lowering, names: dict[str, Var], kinds: list[str],
                 exprs: list[Expr], wrt: Var):
        self.lowering, self.names, self.kinds, self.exprs, self.wrt = \
            lowering, names, kinds, exprs, wrt

    @property
    def program(self):
        return self.lowering.program


def compile_outputs(names: dict[str, Var], wrt: Var, outputs: list[tuple[str, Expr]]) -> Compiled:
    _check_names(names, "Python code")
    lowering = Lowering(names, [e for _, e in outputs])
    for _, e in outputs:
        lowering.output(e)
    return Compiled(lowering, names, [k for k, _ in outputs], [e for _, e in outputs], wrt)


# ── the module ──────────────────────────────────────────────────────────────────────────

FUNCTION_NAMES = {("value", "gradient"): "value_and_gradient",
                  ("value", "gradient", "hessian"): "value_gradient_hessian",
                  ("value", "jacobian"): "value_and_jacobian",
                  ("value", "hessian"): "value_and_hessian"}


def python_module(c: Compiled, title: str) -> str:
    """A self-contained module: imports and one function of the names (keyword arguments)."""
    names, program = c.names, c.program
    dim = c.lowering.printer.dim
    body, outputs = program.statements(dim, list(_temporaries(names, len(program.instrs))))
    fname = FUNCTION_NAMES.get(tuple(c.kinds), "evaluate")
    returns = ", ".join(c.kinds)
    lines = [f'"""{title}: {fname}(…) returns ({returns}).', "",
             "Written by matcalc. Vectors may be given 1-D; the gradient then comes back 1-D.",
             '"""', "import numpy as np"]
    lines += [f"import {m}" for m in program.needs()]
    signature = ", ".join(names)
    lines += ["", "", f"def {fname}(*, {signature}):",
              f'    """({returns}) of {title}, the names given as arrays."""']
    for name, var in names.items():
        lines += ["    " + line for line in _prologue(name, var, dim, name == c.wrt.name)]
    lines += [f"    {name} = {code}" for name, code in body]
    shown = []
    for kind, text, e in zip(c.kinds, outputs, c.exprs):
        if kind == "value" and e.is_scalar:
            shown.append(f"np.reshape({text}, ()).item()")
        elif kind == "gradient":
            shown.append(f"np.reshape({text}, {c.wrt.name}_shape)")
        else:
            shown.append(f"np.reshape({text}, ({dim(e.shape[0])}, {dim(e.shape[1])}))")
    lines.append(f"    return {', '.join(shown)}")
    return "\n".join(lines) + "\n"


def _prologue(name: str, var: Var, dim, wrt: bool) -> list[str]:
    """The argument as a float array of the variable's orientation, its shape checked."""
    rows, cols = var.shape
    lines = [f"{name} = np.asarray({name}, dtype=float)"]
    if wrt:
        lines.append(f"{name}_shape = {name}.shape")
    if var.is_scalar:
        lines += [f"if {name}.size != 1:",
                  f'    raise ValueError(f"{name} must be a number, given shape {{{name}.shape}}")',
                  f"{name} = {name}.reshape(1, 1)"]
        return lines
    expected = f"({dim(rows)}, {dim(cols)})"
    accepted = expected
    if cols.is_one:
        accepted = f"({expected}, ({dim(rows)},))"
    elif rows.is_one:
        accepted = f"({expected}, ({dim(cols)},))"
    sizes = sorted({s for d in var.shape for s in d.symbols})
    where = ", ".join(f"{s} = {{{dim(Dim.of(s))}}}" for s in sizes)
    test = f"{name}.shape not in {accepted}" if accepted != expected else \
        f"{name}.ndim != 2 or {name}.shape != {expected}"
    lines += [f"if {test}:",
              f'    raise ValueError(f"{name} must be {shape_str(var.shape)}'
              + (f" ({where})" if where else "") + f', given shape {{{name}.shape}}")']
    if accepted != expected:
        lines.append(f"{name} = {name}.reshape({expected})")
    return lines


# ── running the program ─────────────────────────────────────────────────────────────────

def runner(c: Compiled, what: str, pick: list[int] | None = None, vanished=()):
    """A function of the names (keyword arguments) that runs the program and returns its
    outputs, shaped as the module returns them; `pick` chooses which."""
    import inspect

    from ..checking.numpy_function import _array, _check_shapes, _keywords
    names = c.names

    def function(**values):
        _keywords(values, names, what, vanished)
        given = {name: values[name] for name in names}
        arrays = {name: _array(var, given[name]) for name, var in names.items()}
        sizes = _check_shapes(arrays, names)
        needed = c.program.memory(sizes)
        if needed > MAX_ARRAY_BYTES:
            raise LimitError(f"computing the {what} needs about {memory_text(needed)} of "
                             f"memory, more than matcalc's limit of {memory_text(MAX_ARRAY_BYTES)}")
        results = c.program.run(arrays, sizes)
        out = []
        import numpy as np
        for kind, value, e in zip(c.kinds, results, c.exprs):
            if kind == "value" and e.is_scalar:
                out.append(np.reshape(value, ()).item())
            elif kind == "gradient" and pick is None:
                out.append(np.reshape(value, np.shape(given[c.wrt.name])))
            else:
                out.append(np.reshape(value, (_dim(e.shape[0], sizes), _dim(e.shape[1], sizes))))
        if pick is not None:
            out = [out[k] for k in pick]
            return out[0] if len(out) == 1 else tuple(out)
        return tuple(out)

    function.__name__ = function.__qualname__ = FUNCTION_NAMES.get(tuple(c.kinds), "evaluate") \
        if pick is None else "derivative"
    function.__doc__ = f"The {what}, of the keyword arguments {', '.join(names)} bound to arrays."
    function.__signature__ = inspect.Signature(
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in names])
    return function


def _dim(d: Dim, sizes: dict[str, int]) -> int:
    from ..checking.numeric import dim_value
    return dim_value(d, sizes)
