"""The operations a generated program uses: each prints as NumPy (or SciPy) code and runs as
the same call. NumPy and SciPy are imported when a program first runs, not before."""
from __future__ import annotations

import importlib
from functools import lru_cache

from .program import Op


def _module(name: str):
    """The modules generated code uses, each imported by its fixed name when first needed."""
    if name == "np":
        return importlib.import_module("numpy")
    if name == "np.linalg":
        return importlib.import_module("numpy.linalg")
    if name == "scipy.linalg":
        return importlib.import_module("scipy.linalg")
    if name == "scipy.special":
        return importlib.import_module("scipy.special")
    raise ValueError(f"generated code does not use the module {name}")


@lru_cache(maxsize=None)
def _resolve(path: str):
    """np.linalg.inv → numpy.linalg.inv, scipy.linalg.lu_factor → the function."""
    module, _, name = path.rpartition(".")
    return getattr(_module(module), name)


def _join(args, kwargs) -> str:
    from .program import strip
    return ", ".join([*map(strip, args), *(f"{k}={strip(v)}" for k, v in kwargs.items())])


@lru_cache(maxsize=None)
def call(path: str) -> Op:
    """A library function: np.exp, np.linalg.inv, scipy.linalg.lu_factor, …"""
    needs = path.rpartition(".")[0] if path.startswith("scipy") else ""
    return Op(path, lambda *a, **k: f"{path}({_join(a, k)})",
              lambda *a, **k: _resolve(path)(*a, **k), needs)


@lru_cache(maxsize=None)
def method(name: str) -> Op:
    """An array method: x.reshape(…), x.transpose(…)."""
    return Op(name, lambda x, *a, **k: f"{x}.{name}({_join(a, k)})",
              lambda x, *a, **k: getattr(x, name)(*a, **k))


def _binary(symbol: str, run) -> Op:
    return Op(symbol, lambda a, b: f"{a} {symbol} {b}", run, atomic=False)


def _sum(*values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _index(pattern: str):
    """`:, None` → (slice(None), None), the index that broadcasting views use."""
    return tuple(slice(None) if p == ":" else None for p in pattern.split(", "))


def _logdet(sign_logabs):
    sign, logabs = sign_logabs
    return logabs if sign > 0 else float("nan")


INPUT = Op("input", lambda: "", lambda: None)
CONST = Op("const", lambda c: c, lambda c: c, atomic=None)
MATMUL = _binary("@", lambda a, b: a @ b)
SUB = _binary("-", lambda a, b: a - b)
MUL = _binary("*", lambda a, b: a * b)
# A broadcast product about to be reshaped: written in C order, or the reshape would copy it
# (NumPy otherwise lays the result out like its operands' strides).
OUTER = Op("outer", lambda a, b: f"np.multiply({a}, {b}, order='C')",
           lambda a, b: _resolve("np.multiply")(a, b, order="C"))
DIV = _binary("/", lambda a, b: a / b)
ADD = Op("+", lambda *a: " + ".join(a), _sum, atomic=False)
NEG = Op("neg", lambda a: f"-{a}", lambda a: -a, atomic=False)
POW = Op("**", lambda a, p: f"{a}**{p}", lambda a, p: a ** p, atomic=False)
T = Op("T", lambda a: f"{a}.T", lambda a: a.T)
TAKE = Op("take", lambda a, i: f"{a}[{i}]", lambda a, i: a[i])
BROADCAST = Op("broadcast", lambda a, pattern: f"{a}[{pattern[1:-1]}]",
               lambda a, pattern: a[_index(pattern)])
TRACE_PRODUCT = Op("trace_product", lambda a, b: f"np.einsum('ij,ji->', {a}, {b})",
                   lambda a, b: _resolve("np.einsum")("ij,ji->", a, b))
LOGDET = Op("logdet", lambda a: f"(lambda s: s[1] if s[0] > 0 else np.nan)(np.linalg.slogdet({a}))",
            lambda a: _logdet(_resolve("np.linalg.slogdet")(a)))
LOGADDEXP0 = Op("softplus", lambda a: f"np.logaddexp(0, {a})",
                lambda a: _resolve("np.logaddexp")(0, a))
SIGMOID = Op("sigmoid", lambda a: f"np.exp(-np.logaddexp(0, -{a}))",
             lambda a: _resolve("np.exp")(-_resolve("np.logaddexp")(0, -a)))
EXPIT = call("scipy.special.expit")
NODE = Op("node", lambda printed, sizes, *a: printed, lambda node, sizes, *a: node(list(a), sizes),
          atomic=None)


def vech_positions(n: int):
    """P with P[j, i] the place of X[i, j] (or X[j, i]) in vech(X): Dₙ's rows pick from vech."""
    np = _module("np")
    J, I = np.indices((n, n))
    low, high = np.minimum(J, I), np.maximum(J, I)
    return (low * n - low * (low - 1) // 2 + high - low).ravel()


def _dup_transpose_apply(m, n: int):
    """Dₙᵀ M for M of n² rows: the rows of X[i, j] and X[j, i] summed, in vech's order."""
    np = _module("np")
    m3 = m.reshape(n, n, -1)
    r, c = np.triu_indices(n)
    return (m3[r, c] + m3[c, r] * (r != c)[:, None]).reshape(len(r), -1)


VECH_POSITIONS = Op(
    "vech_positions",
    lambda n: (f"(lambda n, J, I: (np.minimum(J, I) * n - np.minimum(J, I) * (np.minimum(J, I) - 1)"
               f" // 2 + abs(I - J)).ravel())({n}, *np.indices(({n}, {n})))"),
    vech_positions)
DUP_T_APPLY = Op(
    "dup_t_apply",
    lambda m, n: (f"(lambda m3, r, c: (m3[r, c] + m3[c, r] * (r != c)[:, None]).reshape(len(r), -1))"
                  f"({m}.reshape({n}, {n}, -1), *np.triu_indices({n}))"),
    _dup_transpose_apply)
