"""Derivative questions from other matrix-calculus tools' own test suites and examples, and from
the Matrix Cookbook, written in matcalc's input language.

Each record says where its question comes from, how matcalc's user writes it, and a NumPy
function of the same question written by hand from the mathematics (never from matcalc's
answer): tests/test_peers.py checks matcalc's derivative against central differences of it.
Where the source states the answer, `claim` is that answer written in matcalc's notation and is
checked too. Sympy and tensorgrad state gradients with the variable's shape (the gradient
layout); a derivative of a vector by a vector, which sympy writes in the denominator layout
∂yᵀ/∂x, is written here as matcalc's Jacobian ∂y/∂xᵀ (its transpose). A question matcalc cannot
read carries `refused`, the message it must give instead of an answer. Most questions are
written as matcalc's README writes them; SYMPY_SPELLED and the Cookbook's records keep their
source's own spelling (x.T*B*x, X**(-1), ln det(X), ‖x − a‖₂, Xᴴ), which matcalc reads too.

Sizes: names without a shape follow matcalc's letters (X n×n, x n×1); `m`, `n`, `p` are the
sizes of tests/finite_differences.py (4, 3, 2).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

SOURCES = {
    "sympy": "sympy/sympy, sympy/matrices/expressions/tests/test_derivatives.py",
    "sympy-array": "sympy/sympy, sympy/tensor/array/expressions/tests/test_arrayexpr_derivatives.py",
    "tensorgrad": "thomasahle/tensorgrad, tests/ (test_matrix_calc.py, test_functions.py, "
                  "test_grads.py, test_jacobians.py)",
    "autograd": "HIPS/autograd, tests/test_linalg.py and tests/test_systematic.py",
    "matrixcalculus.org": "MatrixCalculus.org: the examples of its page and its list of operators",
    "cookbook": "K. B. Petersen, M. S. Pedersen, The Matrix Cookbook (2012), chapter 2",
}

inv, det, tr, kron, log, exp, sqrt = (np.linalg.inv, np.linalg.det, np.trace, np.kron, np.log,
                                      np.exp, np.sqrt)
sin, cos, tan, tanh = np.sin, np.cos, np.tan, np.tanh


def s(a):
    """A 1×1 array as a float."""
    return np.asarray(a).item()


def norm(a):
    return np.linalg.norm(a)


def vec(M):
    return np.asarray(M).reshape(-1, 1, order="F")


def softmax(z):
    e = exp(z - z.max())
    return e / e.sum()


def relu(z):
    return np.maximum(z, 0)


def ones(k, j=1):
    return np.ones((k, j))


@dataclass(frozen=True)
class Q:
    source: str                  # a key of SOURCES
    where: str                   # the test, or the section and equation
    text: str                    # the question in matcalc's input language
    wrt: str
    ref: Callable | None         # the function itself, by hand: ref(**values)
    claim: str | None = None     # the source's answer, in matcalc's notation
    shapes: dict = field(default_factory=dict)
    order: int = 1
    point: str = ""              # "positive", "small", "spd:S", "sym:B,C", "negdet:X" (;-separated)
    symmetric: str = ""          # derive(..., symmetric=...): the Cookbook's structured results
    claim_where: str = ""        # the claim holds only where this says (checked at `point`)
    refused: str = ""            # the message matcalc must give instead of an answer

    @property
    def id(self) -> str:
        by = f"d{self.wrt}" if self.order == 1 else f"d{self.wrt}²"
        return f"{self.source}: {self.text} /{by}"


MN = {"X": ("m", "n")}
T = {"t": (1, 1)}
I_ = {"i": (1, 1)}


def _sympy(where, text, wrt, ref, claim=None, shapes=None, **kw):
    return Q("sympy", where, text, wrt, ref, claim, shapes or {}, **kw)


# ── sympy: sympy/matrices/expressions/tests/test_derivatives.py (all k×k, vectors k×1) ──────
SC = "test_matrix_derivative_by_scalar"
VS = "test_matrix_derivative_vectors_and_scalars"
TR = "test_matrix_derivatives_of_traces"
EW = "test_derivatives_elementwise_applyfunc"
HD = "test_derivatives_of_hadamard_expressions"
NM = "test_derivatives_matrix_norms"
MX = "test_mixed_deriv_mixed_expressions"
SYMPY = [
    _sympy(SC, "A", "i", lambda A, **_: A, "0", I_),
    _sympy(SC, "A (X + B) c", "i", lambda A, X, B, c, **_: A @ (X + B) @ c, "0", I_),
    _sympy(SC, "x", "i", lambda x, **_: x, "0", I_),
    _sympy(SC, "x' y", "i", lambda x, y, **_: x.T @ y, "0", I_),
    _sympy(SC, "x x'", "i", lambda x, **_: x @ x.T, "0", I_),
    _sympy(SC, "x + y", "i", lambda x, y, **_: x + y, "0", I_),
    _sympy(SC, "x.^2", "i", lambda x, **_: x ** 2, "0", I_),
    _sympy(SC, "x.^i", "i", lambda x, i, **_: x ** s(i), "log(x) .* x.^i", I_, point="positive"),
    _sympy(SC, "x .* y", "i", lambda x, y, **_: x * y, "0", I_),
    _sympy(SC, "(i*ones) .* x .* y", "i", lambda i, x, y, **_: s(i) * x * y, "x .* y", I_),
    _sympy(SC, "i*x", "i", lambda i, x, **_: s(i) * x, "x", I_),
    _sympy(SC, "sin(i)*A*B*x", "i", lambda i, A, B, x, **_: sin(s(i)) * A @ B @ x,
           "cos(i)*A*B*x", I_),
    _sympy(SC, "sin(x)", "i", lambda x, **_: sin(x), "0", I_),
    _sympy(SC, "tr(i^2*X)", "i", lambda i, X, **_: tr(s(i) ** 2 * X), "2*i*tr(X)", I_),
    _sympy(SC, "2*mu*x", "x", lambda mu, x, **_: 2 * s(mu) * x, "2*mu*I", {"mu": (1, 1)}),
    _sympy("test_one_matrix", "x' ones", "x", lambda x, **_: x.T @ ones(3), "ones"),
    _sympy("test_matrix_derivative_non_matrix_result", "A", "A", lambda A, **_: A, "I"),
    _sympy("test_matrix_derivative_non_matrix_result", "A^T", "A", lambda A, **_: A.T, "K"),
    _sympy("test_matrix_derivative_non_matrix_result", "2*A", "A", lambda A, **_: 2 * A, "2*I"),
    _sympy("test_matrix_derivative_non_matrix_result", "A + A", "A", lambda A, **_: A + A, "2*I"),
    _sympy("test_matrix_derivative_non_matrix_result", "A + B", "A", lambda A, B, **_: A + B, "I"),
    _sympy("test_matrix_derivative_trivial_cases (Cookbook 33)", "X", "A", lambda X, **_: X, "0"),
    _sympy("test_matrix_derivative_with_inverse (Cookbook 61)", "a^T * X^-1 * b", "X",
           lambda a, X, b, **_: a.T @ inv(X) @ b, "-inv(X)^T a b^T inv(X)^T"),
    _sympy("test_matrix_derivative_with_inverse (Cookbook 62)", "det(inv(X))", "X",
           lambda X, **_: det(inv(X)), "-det(inv(X)) inv(X)^T"),
    _sympy("test_matrix_derivative_with_inverse (Cookbook 63)", "tr(A*inv(X)*B)", "X",
           lambda A, X, B, **_: tr(A @ inv(X) @ B), "-(X^-1 B A X^-1)^T"),
    _sympy("test_matrix_derivative_with_inverse (Cookbook 64)", "tr(inv(X + A))", "X",
           lambda X, A, **_: tr(inv(X + A)), "-(inv(X + A)^T)^2"),
    _sympy(VS, "x", "x", lambda x, **_: x, "I"),
    _sympy(VS, "x^T", "x", lambda x, **_: x.T, "I"),
    _sympy(VS + " (Cookbook 69)", "x^T a", "x", lambda x, a, **_: x.T @ a, "a"),
    _sympy(VS + " (Cookbook 69)", "a^T x", "x", lambda a, x, **_: a.T @ x, "a"),
    _sympy(VS + " (Cookbook 70)", "a^T X b", "X", lambda a, X, b, **_: a.T @ X @ b, "a b^T"),
    _sympy(VS + " (Cookbook 71)", "a^T X^T b", "X", lambda a, X, b, **_: a.T @ X.T @ b, "b a^T"),
    _sympy(VS + " (Cookbook 72)", "a^T X a", "X", lambda a, X, **_: a.T @ X @ a, "a a^T"),
    _sympy(VS + " (Cookbook 72)", "a^T X^T a", "X", lambda a, X, **_: a.T @ X.T @ a, "a a^T"),
    _sympy(VS + " (Cookbook 77)", "b^T X^T X c", "X", lambda b, X, c, **_: b.T @ X.T @ X @ c,
           "X b c^T + X c b^T"),
    _sympy(VS + " (Cookbook 78)", "(B x + b)^T C (D x + d)", "x",
           lambda B, x, b, C, D, d, **_: (B @ x + b).T @ C @ (D @ x + d),
           "B^T C (D x + d) + D^T C^T (B x + b)"),
    _sympy(VS + " (Cookbook 81)", "x^T B x", "x", lambda x, B, **_: x.T @ B @ x, "B x + B^T x"),
    _sympy(VS + " (Cookbook 82)", "b^T X^T D X c", "X",
           lambda b, X, D, c, **_: b.T @ X.T @ D @ X @ c, "D^T X b c^T + D X c b^T"),
    _sympy(VS + " (Cookbook 83)", "(X b + c)^T D (X b + c)", "X",
           lambda X, b, c, D, **_: (X @ b + c).T @ D @ (X @ b + c),
           "D (X b + c) b^T + D^T (X b + c) b^T"),
    _sympy(VS + " (sympy issue 16504)", "x x^T x", "x", lambda x, **_: x @ x.T @ x,
           "kron(I, x^T x) + 2 x x^T"),
    _sympy(TR, "tr(A) A", "A", lambda A, **_: tr(A) * A, "tr(A) I + vec(A) vec(I)^T"),
    _sympy(TR + " (Cookbook 99)", "tr(X)", "X", lambda X, **_: tr(X), "I"),
    _sympy(TR + " (Cookbook 100)", "tr(X*A)", "X", lambda X, A, **_: tr(X @ A), "A^T"),
    _sympy(TR + " (Cookbook 101)", "tr(A*X*B)", "X", lambda A, X, B, **_: tr(A @ X @ B), "A^T B^T"),
    _sympy(TR + " (Cookbook 102)", "tr(A*X^T*B)", "X", lambda A, X, B, **_: tr(A @ X.T @ B), "B A"),
    _sympy(TR + " (Cookbook 103)", "tr(X^T*A)", "X", lambda X, A, **_: tr(X.T @ A), "A"),
    _sympy(TR + " (Cookbook 104)", "tr(A*X^T)", "X", lambda A, X, **_: tr(A @ X.T), "A"),
    _sympy(TR + " (Cookbook 106)", "tr(X^2)", "X", lambda X, **_: tr(X @ X), "2 X^T"),
    _sympy(TR + " (Cookbook 107)", "tr(X^2*B)", "X", lambda X, B, **_: tr(X @ X @ B),
           "(X B + B X)^T"),
    _sympy(TR + " (Cookbook 107)", "tr(X*X*B)", "X", lambda X, B, **_: tr(X @ X @ B),
           "(X B + B X)^T"),
    _sympy(TR + " (Cookbook 108)", "tr(X^T*B*X)", "X", lambda X, B, **_: tr(X.T @ B @ X),
           "B X + B^T X"),
    _sympy(TR + " (Cookbook 109)", "tr(B*X*X^T)", "X", lambda B, X, **_: tr(B @ X @ X.T),
           "B X + B^T X"),
    _sympy(TR + " (Cookbook 110)", "tr(X*X^T*B)", "X", lambda X, B, **_: tr(X @ X.T @ B),
           "B X + B^T X"),
    _sympy(TR + " (Cookbook 111)", "tr(X*B*X^T)", "X", lambda X, B, **_: tr(X @ B @ X.T),
           "X B^T + X B"),
    _sympy(TR + " (Cookbook 112)", "tr(B*X^T*X)", "X", lambda B, X, **_: tr(B @ X.T @ X),
           "X B^T + X B"),
    _sympy(TR + " (Cookbook 113)", "tr(X^T*X*B)", "X", lambda X, B, **_: tr(X.T @ X @ B),
           "X B^T + X B"),
    _sympy(TR + " (Cookbook 114)", "tr(A*X*B*X)", "X", lambda A, X, B, **_: tr(A @ X @ B @ X),
           "A^T X^T B^T + B^T X^T A^T"),
    _sympy(TR + " (Cookbook 115)", "tr(X^T*X)", "X", lambda X, **_: tr(X.T @ X), "2 X"),
    _sympy(TR + " (Cookbook 115)", "tr(X*X^T)", "X", lambda X, **_: tr(X @ X.T), "2 X"),
    _sympy(TR + " (Cookbook 116)", "tr(B^T*X^T*C*X*B)", "X",
           lambda B, X, C, **_: tr(B.T @ X.T @ C @ X @ B), "C^T X B B^T + C X B B^T"),
    _sympy(TR + " (Cookbook 117)", "tr(X^T*B*X*C)", "X",
           lambda X, B, C, **_: tr(X.T @ B @ X @ C), "B X C + B^T X C^T"),
    _sympy(TR + " (Cookbook 118)", "tr(A*X*B*X^T*C)", "X",
           lambda A, X, B, C, **_: tr(A @ X @ B @ X.T @ C), "A^T C^T X B^T + C A X B"),
    _sympy(TR + " (Cookbook 119)", "tr((A*X*B + C)*(A*X*B + C)^T)", "X",
           lambda A, X, B, C, **_: tr((A @ X @ B + C) @ (A @ X @ B + C).T),
           "2 A^T (A X B + C) B^T"),
    _sympy(TR + " (Cookbook 123)", "tr(B^T X^T C X X^T C X B)", "X",
           lambda B, X, C, **_: tr(B.T @ X.T @ C @ X @ X.T @ C @ X @ B),
           "C X X^T C X B B^T + C^T X B B^T X^T C^T X + C X B B^T X^T C X"
           " + C^T X X^T C^T X B B^T"),
    _sympy(TR + " (Cookbook 124)", "tr(A*X^-1*B)", "X", lambda A, X, B, **_: tr(A @ inv(X) @ B),
           "-inv(X)^T A^T B^T inv(X)^T"),
    _sympy(TR + " (Cookbook 125)", "tr(inv(X^T*C*X)*A)", "X",
           lambda X, C, A, **_: tr(inv(X.T @ C @ X) @ A),
           "-inv(X)^T A^T inv(X) inv(C)^T inv(X)^T - inv(X)^T A inv(X) inv(C) inv(X)^T"),
    _sympy(TR + " (Cookbook 126)", "tr(inv(X^T*C*X)*(X^T*B*X))", "X",
           lambda X, C, B, **_: tr(inv(X.T @ C @ X) @ (X.T @ B @ X)),
           "-2 C X inv(X^T C X) X^T B X inv(X^T C X) + 2 B X inv(X^T C X)"),
    _sympy(TR + " (Cookbook 127)", "tr(inv(A + X^T*C*X)*(X^T*B*X))", "X",
           lambda A, X, C, B, **_: tr(inv(A + X.T @ C @ X) @ (X.T @ B @ X)),
           "B X inv(A + X^T C X) - C X inv(A + X^T C X) X^T B X inv(A + X^T C X)"
           " - C^T X inv(A^T + (C X)^T X) X^T B^T X inv(A^T + (C X)^T X)"
           " + B^T X inv(A^T + (C X)^T X)"),
    _sympy("test_derivatives_of_complicated_matrix_expr",
           "a^T (A X (X^T B + X A) + B^T X^T (a b^T (X D X^T + X (X^T B + A X) D B"
           " - X^T C^T A) B + B (X D^T + B A X A^T - 3 X D)) B + 42 X B X^T A^T (X + X^T)) b", "X",
           lambda a, A, X, B, b, D, C, **_: a.T @ (
               A @ X @ (X.T @ B + X @ A) + B.T @ X.T @ (
                   a @ b.T @ (X @ D @ X.T + X @ (X.T @ B + A @ X) @ D @ B - X.T @ C.T @ A) @ B
                   + B @ (X @ D.T + B @ A @ X @ A.T - 3 * X @ D)) @ B
               + 42 * X @ B @ X.T @ A.T @ (X + X.T)) @ b,
           "(B (B A X A^T - 3 X D + X D^T) + a b^T (X (A X + X^T B) D B + X D X^T - X^T C^T A) B)"
           " B b a^T B^T + B^2 b a^T B^T X^T a b^T X D + 42 A X B^T X^T a b^T"
           " + B D B^3 b a^T B^T X^T a b^T X + B b a^T A X + a b^T (42 X + 42 X^T) A X B^T"
           " + b a^T X B a b^T (B^T)^2 X D^T + b a^T X B a b^T (B^T)^3 D^T (B^T X + X^T A^T)"
           " + 42 b a^T X B X^T A^T + A^T (42 X + 42 X^T) b a^T X B"
           " + A^T (B^T)^2 X B a b^T B^T A + A^T a b^T (A^T X^T + B^T X)"
           " + A^T X^T b a^T X B a b^T (B^T)^3 D^T + B^T X B a b^T B^T D"
           " - 3 B^T X B a b^T B^T D^T - C^T A B^2 b a^T B^T X^T a b^T + X^T A^T a b^T A^T"),
    _sympy(MX, "3*tr(A)", "A", lambda A, **_: 3 * tr(A), "3 I"),
    _sympy(MX, "k", "A", lambda k, **_: k, "0", {"k": (1, 1)}),
    _sympy(MX, "tr(A)^2", "A", lambda A, **_: tr(A) ** 2, "2 tr(A) I"),
    _sympy(MX, "tr(tr(A)*A)", "A", lambda A, **_: tr(tr(A) * A), "2 tr(A) I"),
    _sympy(MX, "tr(tr(tr(A)*A)*A)", "A", lambda A, **_: tr(tr(tr(A) * A) * A), "3 tr(A)^2 I"),
    _sympy(NM, "x^T y", "x", lambda x, y, **_: x.T @ y, "y"),
    _sympy(NM, "(x^T y)^(1/2)", "x", lambda x, y, **_: sqrt(x.T @ y), "y/(2*sqrt(x^T y))",
           point="positive"),
    _sympy(NM, "(x^T x)^(1/2)", "x", lambda x, **_: sqrt(x.T @ x), "x (x^T x)^(-1/2)"),
    _sympy(NM, "(c^T a x^T b)^(1/2)", "x", lambda c, a, x, b, **_: sqrt(c.T @ a @ x.T @ b),
           "b a^T c / sqrt(c^T a x^T b) / 2", point="positive"),
    _sympy(NM, "(c^T a x^T b)^(1/3)", "x", lambda c, a, x, b, **_: (c.T @ a @ x.T @ b) ** (1 / 3),
           "b a^T c (c^T a x^T b)^(-2/3) / 3", point="positive"),
    _sympy(NM, "(a^T X b)^(1/2)", "X", lambda a, X, b, **_: sqrt(a.T @ X @ b),
           "a/(2 sqrt(a^T X b)) b^T", point="positive"),
    _sympy(NM, "d^T x (a^T X b)^(1/2) y^T c", "X",
           lambda d, x, a, X, b, y, c, **_: s(d.T @ x) * sqrt(a.T @ X @ b) * s(y.T @ c),
           "a/(2 sqrt(a^T X b)) x^T d y^T c b^T", point="positive"),
    _sympy(EW, "tan(x)", "x", lambda x, **_: tan(x), "diag(tan(x).^2 + 1)", point="small"),
    _sympy(EW, "sin(i^2*x)", "i", lambda i, x, **_: sin(s(i) ** 2 * x), "2*i*x .* cos(i^2*x)", I_),
    _sympy(EW, "sin(log(i)*A*B)", "i", lambda i, A, B, **_: sin(log(s(i)) * A @ B),
           "vec(A*B/i .* cos(log(i)*A*B))", I_),
    _sympy(EW, "A*exp(x)", "x", lambda A, x, **_: A @ exp(x), "A diag(exp(x))"),
    _sympy(EW, "x^T A x + k*sin(y)^T x", "x",
           lambda x, A, k, y, **_: x.T @ A @ x + s(k) * sin(y).T @ x, "A^T x + A x + k sin(y)",
           {"k": (1, 1)}),
    _sympy(EW, "sin(x)^T y", "x", lambda x, y, **_: sin(x).T @ y, "diag(cos(x)) y"),
    _sympy(EW, "sin(a^T X b)", "X", lambda a, X, b, **_: sin(a.T @ X @ b), "a cos(a^T X b) b^T"),
    _sympy(EW, "a^T sin(X) b", "X", lambda a, X, b, **_: a.T @ sin(X) @ b,
           "diag(a) cos(X) diag(b)"),
    _sympy(EW, "a^T sin(A X B) b", "X", lambda a, A, X, B, b, **_: a.T @ sin(A @ X @ B) @ b,
           "A^T diag(a) cos(A X B) diag(b) B^T"),
    _sympy(EW, "a^T sin(A X b) b^T", "X", lambda a, A, X, b, **_: a.T @ sin(A @ X @ b) @ b.T),
    _sympy(EW, "a^T A sin(X) B b", "X", lambda a, A, X, B, b, **_: a.T @ A @ sin(X) @ B @ b,
           "(A^T a b^T B^T) .* cos(X)"),
    _sympy(EW, "a^T log(A sin(X) B) b", "X",
           lambda a, A, X, B, b, **_: a.T @ log(A @ sin(X) @ B) @ b, point="positive"),
    _sympy(EW, "a^T log(sin(X)) b", "X", lambda a, X, b, **_: a.T @ log(sin(X)) @ b,
           point="positive"),
    _sympy(HD, "a .* x .* b", "x", lambda a, x, b, **_: a * x * b, "diag(b .* a)"),
    _sympy(HD, "a^T (A .* X .* B) b", "X", lambda a, A, X, B, b, **_: a.T @ (A * X * B) @ b,
           "(a b^T) .* A .* B"),
    _sympy(HD, "x.^2", "x", lambda x, **_: x ** 2, "2 diag(x)"),
    _sympy(HD, "(x^T).^2", "x", lambda x, **_: x.T ** 2, "2 diag(x)"),
    _sympy(HD, "x.^(1/2)", "x", lambda x, **_: sqrt(x), "diag(x.^(-1/2))/2", point="positive"),
    _sympy(HD, "(a^T X b).^2", "X", lambda a, X, b, **_: (a.T @ X @ b) ** 2,
           "2 a a^T X b b^T"),
    _sympy(HD, "(a^T X b).^(1/2)", "X", lambda a, X, b, **_: sqrt(a.T @ X @ b),
           "a/(2 sqrt(a^T X b)) b^T", point="positive"),
]

# The same questions as a sympy user writes them, in Python: .T, ** and * (sympy's class names
# Trace, Inverse, … are matcalc's functions tr, inv, …: Trace is refused with "did you mean").
PY = " (as sympy's test writes it)"
SYMPY_SPELLED = [
    _sympy("test_matrix_derivative_with_inverse" + PY, "a.T*X**(-1)*b", "X",
           lambda a, X, b, **_: a.T @ inv(X) @ b, "-X.T**(-1)*a*b.T*X.T**(-1)"),
    _sympy(VS + PY, "x.T*B*x", "x", lambda x, B, **_: x.T @ B @ x, "B*x + B.T*x"),
    _sympy(VS + PY, "b.T*X.T*X*c", "X", lambda b, X, c, **_: b.T @ X.T @ X @ c,
           "X*b*c.T + X*c*b.T"),
    _sympy(VS + PY, "(X*b + c).T*D*(X*b + c)", "X",
           lambda X, b, c, D, **_: (X @ b + c).T @ D @ (X @ b + c),
           "D*(X*b + c)*b.T + D.T*(X*b + c)*b.T"),
    _sympy(VS + PY, "x*x.T*x", "x", lambda x, **_: x @ x.T @ x, "kron(I, x.T*x) + 2*x*x.T"),
    _sympy(TR + PY, "trace(X**2*B)", "X", lambda X, B, **_: tr(X @ X @ B), "(X*B + B*X).T"),
    _sympy(TR + PY, "trace(A*X**(-1)*B)", "X", lambda A, X, B, **_: tr(A @ inv(X) @ B),
           "-X.T**(-1)*A.T*B.T*X.T**(-1)"),
    _sympy(TR + PY, "trace((A*X*B + C)*(A*X*B + C).T)", "X",
           lambda A, X, B, C, **_: tr((A @ X @ B + C) @ (A @ X @ B + C).T), "2*A.T*(A*X*B + C)*B.T"),
    _sympy(TR + PY, "trace(B.T*X.T*C*X*B)", "X", lambda B, X, C, **_: tr(B.T @ X.T @ C @ X @ B),
           "C.T*X*B*B.T + C*X*B*B.T"),
    _sympy(TR + PY, "Trace(X)", "X", None, refused="unknown function 'Trace' (did you mean trace?)"),
    _sympy(NM + PY, "(x.T*x)**(1/2)", "x", lambda x, **_: sqrt(x.T @ x), "x*(x.T*x)**(-1/2)"),
    _sympy(NM + PY, "(c.T*a*x.T*b)**(1/3)", "x",
           lambda c, a, x, b, **_: (c.T @ a @ x.T @ b) ** (1 / 3),
           "b*a.T*c*(c.T*a*x.T*b)**(-2/3)/3", point="positive"),
    _sympy(NM + PY, "(a.T*X*b)**(1/2)", "X", lambda a, X, b, **_: sqrt(a.T @ X @ b),
           "a/(2*sqrt(a.T*X*b))*b.T", point="positive"),
    _sympy(EW + PY, "x.T*A*x + k*sin(y).T*x", "x",
           lambda x, A, k, y, **_: x.T @ A @ x + s(k) * sin(y).T @ x, "A.T*x + A*x + k*sin(y)",
           {"k": (1, 1)}),
    _sympy(EW + PY, "a.T*sin(X)*b", "X", lambda a, X, b, **_: a.T @ sin(X) @ b,
           "diag(a)*cos(X)*diag(b)"),
]

# ── sympy: array expressions (ArraySymbol, ArrayContraction, ArrayDiagonal, Reshape) ─────────
AD = "test_arrayexpr_derivatives1"
SYMPY_ARRAY = [
    Q("sympy-array", AD, "X", "X", lambda X, **_: X, "I"),
    Q("sympy-array", AD + " (ArrayContraction)", "tr(X)", "X", lambda X, **_: tr(X), "I"),
    Q("sympy-array", AD + " (ArrayDiagonal)", "diag(X)", "X",
      lambda X, **_: np.diag(X).reshape(-1, 1)),
    Q("sympy-array", AD + " (ElementwiseApplyFunction)", "sin(X)", "X", lambda X, **_: sin(X),
      "diag(vec(cos(X)))"),
    Q("sympy-array", AD + " (ArrayTensorProduct)", "kron(kron(A, X), B)", "X",
      lambda A, X, B, **_: kron(kron(A, X), B), shapes={"A": (2, 2), "B": (2, 2)}),
    Q("sympy-array", AD + " (Reshape)", "vec(A)", "A", lambda A, **_: vec(A), "I"),
    Q("sympy-array", "test_array_derive_with_common_matrices", "M", "M", lambda M, **_: M, "I",
      {"M": (2, 2)}),
]

# ── tensorgrad ───────────────────────────────────────────────────────────────────────────────
TG_MC = "test_matrix_calc.py::"
TG_F = "test_functions.py::"
TG_G = "test_grads.py::"
TG_J = "test_jacobians.py::"
TENSORGRAD = [
    Q("tensorgrad", TG_MC + "test_gradient_of_product", "(B x + b)' C (D x + d)", "x",
      lambda B, x, b, C, D, d, **_: (B @ x + b).T @ C @ (D @ x + d),
      "B' C (D x + d) + D' C' (B x + b)",
      {"B": ("m", "n"), "C": ("m", "p"), "D": ("p", "n"), "b": "m", "d": "p"}),
    Q("tensorgrad", TG_MC + "test_gradient_of_quadratic_form", "b' X' X c", "X",
      lambda b, X, c, **_: b.T @ X.T @ X @ c, "X (b c' + c b')", MN),
    Q("tensorgrad", TG_MC + "test_gradient_of_matrix_trace", "tr(B A)", "A",
      lambda B, A, **_: tr(B @ A), "B'", {"A": ("m", "n"), "B": ("n", "m")}),
    Q("tensorgrad", TG_MC + "test_gradient_of_quadratic_form_with_middle_matrix", "b' X' D X c",
      "X", lambda b, X, D, c, **_: b.T @ X.T @ D @ X @ c, "D' X b c' + D X c b'",
      {"X": ("m", "n"), "D": ("m", "m")}),
    Q("tensorgrad", TG_MC + "test_gradient_of_quadratic_form_with_affine_transform",
      "(X b + c)' D (X b + c)", "X", lambda X, b, c, D, **_: (X @ b + c).T @ D @ (X @ b + c),
      "(D + D') (X b + c) b'", {"X": ("m", "n"), "D": ("m", "m"), "c": "m"}),
    Q("tensorgrad", TG_F + "test_log_grad", "log(v)", "v", lambda v, **_: log(v),
      "diag(v.^(-1))", point="positive"),
    Q("tensorgrad", TG_F + "test_relu_jac", "relu(x)", "x", lambda x, **_: relu(x)),
    Q("tensorgrad", TG_F + "test_softmax_jac", "softmax(x)", "x", lambda x, **_: softmax(x)),
    Q("tensorgrad", TG_F + "test_softmax_grad", "sum(softmax(x))", "x",
      lambda x, **_: softmax(x).sum()),
    Q("tensorgrad", TG_F + "test_softmax_hess", "sum(softmax(x))", "x",
      lambda x, **_: softmax(x).sum(), order=2),
    Q("tensorgrad", TG_F + "test_softmax_hess2", "softmax(x)' targets", "x",
      lambda x, targets, **_: softmax(x).T @ targets, order=2),
    Q("tensorgrad", TG_F + "test_softmax_grad_mat (softmax of each column)",
      "exp(A) ./ (matrix(1) * exp(A))", "A", lambda A, **_: exp(A) / exp(A).sum(axis=0),
      shapes={"A": ("m", "n")}),
    Q("tensorgrad", TG_F + "test_softmax_grad_mat", "softmax(A)", "A", None,
      shapes={"A": ("m", "n")}, refused="softmax needs a column vector, but A"),
    Q("tensorgrad", TG_F + "test_ce_grad", "-target' log(softmax(logits))", "logits",
      lambda target, logits, **_: -target.T @ log(softmax(logits))),
    Q("tensorgrad", TG_F + "test_ce_grad", "-target' log(softmax(logits))", "target",
      lambda target, logits, **_: -target.T @ log(softmax(logits))),
    Q("tensorgrad", TG_F + "test_ce_hess", "-target' log(softmax(logits))", "logits",
      lambda target, logits, **_: -target.T @ log(softmax(logits)), order=2),
    Q("tensorgrad", TG_F + "test_ce_hess", "-target' log(softmax(logits))", "target",
      lambda target, logits, **_: -target.T @ log(softmax(logits)), order=2),
    Q("tensorgrad", TG_F + "test_pow_hess", "sum(x.^3)", "x", lambda x, **_: (x ** 3).sum(), order=2),
    Q("tensorgrad", TG_F + "test_pow_hess2", "sum((x - y).^3)", "x",
      lambda x, y, **_: ((x - y) ** 3).sum(), order=2),
    Q("tensorgrad", TG_F + "test_pow_hess2", "sum((x - y).^3)", "y",
      lambda x, y, **_: ((x - y) ** 3).sum(), order=2),
    Q("tensorgrad", TG_F + "test_trace", "tr(x)", "x", lambda x, **_: tr(x),
      shapes={"x": ("n", "n")}),
    Q("tensorgrad", TG_F + "test_l1_reg", "sum(abs(W))", "W", lambda W, **_: np.abs(W).sum(), shapes={"W": ("m", "n")}),
    Q("tensorgrad", TG_F + "test_rnn", "sum(tanh(W_ih x + W_hh h + b))", "W_hh",
      lambda W_ih, x, W_hh, h, b, **_: tanh(W_ih @ x + W_hh @ h + b).sum(),
      shapes={"W_ih": ("m", "p"), "W_hh": ("m", "n"), "x": "p"}),
    Q("tensorgrad", TG_F + "test_relu_hessian", "sum(relu(X W + ones b').^2)", "W",
      lambda X, W, b, **_: (relu(X @ W + ones(2) @ b.T) ** 2).sum(),
      shapes={"X": ("p", "m"), "W": ("m", "n"), "b": "n"}),
    Q("tensorgrad", TG_G + "test_simple_grad", "A x", "x", lambda A, x, **_: A @ x, "A",
      {"A": ("m", "n")}),
    Q("tensorgrad", TG_G + "test_simple_hessian", "x' A x", "x", lambda x, A, **_: x.T @ A @ x,
      "A + A'", order=2),
    Q("tensorgrad", TG_G + "test_simple_hessian", "x' A A x", "x",
      lambda x, A, **_: x.T @ A @ A @ x, order=2),
    Q("tensorgrad", TG_G + "test_simple_hessian", "norm(A x - y)^2", "x",
      lambda A, x, y, **_: norm(A @ x - y) ** 2, "2 A' A", {"A": ("m", "n"), "y": "m"}, order=2),
    Q("tensorgrad", TG_G + "test_derivative_of_hadamard_product", "a .* b", "a",
      lambda a, b, **_: a * b, shapes={"a": ("m", "n"), "b": ("m", "n")}),
    Q("tensorgrad", TG_G + "test_derivative_of_hadamard_product", "a .* b", "b",
      lambda a, b, **_: a * b, shapes={"a": ("m", "n"), "b": ("m", "n")}),
    Q("tensorgrad", TG_J + "test_simple_vector", "x", "x", lambda x, **_: x),
    Q("tensorgrad", TG_J + "test_simple_matrix", "x", "x", lambda x, **_: x,
      shapes={"x": ("m", "n")}),
    Q("tensorgrad", TG_J + "test_a_not_function_of_x", "a ./ x", "x", lambda a, x, **_: s(a) / x,
      shapes={"a": (1, 1)}),
]

# ── autograd: tests/test_linalg.py and tests/test_systematic.py ─────────────────────────────
LA = "test_linalg.py::"
SY = "test_systematic.py::"
AUTOGRAD = [
    Q("autograd", LA + "test_inv", "inv(x)", "x", lambda x, **_: inv(x), shapes={"x": ("n", "n")}),
    Q("autograd", LA + "test_solve_arg1", "inv(a) B", "a", lambda a, B, **_: inv(a) @ B,
      shapes={"a": ("n", "n"), "B": ("n", "p")}),
    Q("autograd", LA + "test_solve_arg1_1d", "inv(a) b", "a", lambda a, b, **_: inv(a) @ b,
      shapes={"a": ("n", "n")}),
    Q("autograd", LA + "test_solve_arg2", "inv(A) b", "b", lambda A, b, **_: inv(A) @ b,
      shapes={"b": ("n", "p")}),
    Q("autograd", LA + "test_det", "det(x)", "x", lambda x, **_: det(x), shapes={"x": ("n", "n")}),
    Q("autograd", LA + "test_slogdet", "logdet(x)", "x", lambda x, **_: log(abs(det(x))),
      shapes={"x": ("n", "n")}),
    Q("autograd", LA + "test_slogdet (of -mat, det < 0)", "log(abs(det(x)))", "x",
      lambda x, **_: log(abs(det(x))), shapes={"x": ("n", "n")}, point="negdet:x"),
    Q("autograd", LA + "test_vector_2norm", "norm(x)", "x", lambda x, **_: norm(x)),
    Q("autograd", LA + "test_frobenius_norm", "norm(x)", "x", lambda x, **_: norm(x),
      shapes={"x": ("m", "n")}),
    Q("autograd", LA + "test_vector_norm_ord (ord=2)", "norm2(x)", "x", lambda x, **_: norm(x)),
    Q("autograd", LA + "test_vector_norm_ord (ord=3)", "sum(abs(x).^3)^(1/3)", "x",
      lambda x, **_: np.linalg.norm(x.ravel(), 3)),
    Q("autograd", LA + "test_vector_norm_ord (ord=4)", "sum(abs(x).^4)^(1/4)", "x",
      lambda x, **_: np.linalg.norm(x.ravel(), 4)),
    Q("autograd", LA + "test_norm_nuclear", "sum(svd(x))", "x",
      lambda x, **_: np.linalg.norm(x, "nuc"), shapes={"x": ("m", "n")}),
    Q("autograd", LA + "test_eigvalh_lower (eigenvalues)", "eig(x)", "x",
      lambda x, **_: np.linalg.eigvalsh((x + x.T) / 2).reshape(-1, 1),
      shapes={"x": ("n", "n")}, point="spd:x"),
    Q("autograd", LA + "test_cholesky", "chol(x)", "x",
      lambda x, **_: np.linalg.cholesky((x + x.T) / 2), shapes={"x": ("n", "n")}, point="spd:x"),
    Q("autograd", LA + "test_cholesky_reparameterization_trick", "norm(chol(A) z)", "A",
      lambda A, z, **_: norm(np.linalg.cholesky((A + A.T) / 2) @ z), point="spd:A"),
    Q("autograd", LA + "test_svd_only_s_2d (tall)", "svd(x)", "x",
      lambda x, **_: np.linalg.svd(x, compute_uv=False).reshape(-1, 1), shapes={"x": ("m", "n")}),
    Q("autograd", LA + "test_svd_only_s_2d (wide)", "svd(x)", "x",
      lambda x, **_: np.linalg.svd(x, compute_uv=False).reshape(-1, 1), shapes={"x": ("n", "m")}),
    Q("autograd", SY + "test_max", "max(x)", "x", lambda x, **_: x.max()),
    Q("autograd", SY + "test_min", "min(x)", "x", lambda x, **_: x.min()),
    Q("autograd", SY + "test_sum", "sum(x)", "x", lambda x, **_: x.sum(), shapes={"x": ("m", "n")}),
    Q("autograd", SY + "test_mean", "sum(x)/12", "x", lambda x, **_: x.mean(),
      shapes={"x": ("m", "n")}),
    Q("autograd", SY + "test_mean", "mean(x)", "x", None, refused="unknown function 'mean'"),
    Q("autograd", SY + "test_var", "norm(x - ones*sum(x)/3)^2/3", "x", lambda x, **_: x.var(),
      shapes={"x": 3}),
    Q("autograd", SY + "test_std", "norm(x - ones*sum(x)/3)/sqrt(3)", "x", lambda x, **_: x.std(),
      shapes={"x": 3}),
    Q("autograd", SY + "test_sin", "sin(X)", "X", lambda X, **_: sin(X), shapes=MN),
    Q("autograd", SY + "test_cos", "cos(X)", "X", lambda X, **_: cos(X), shapes=MN),
    Q("autograd", SY + "test_tan", "tan(X)", "X", lambda X, **_: tan(X), shapes=MN, point="small"),
    Q("autograd", SY + "test_tanh", "tanh(X)", "X", lambda X, **_: tanh(X), shapes=MN),
    Q("autograd", SY + "test_sinh", "sinh(X)", "X", lambda X, **_: np.sinh(X), shapes=MN),
    Q("autograd", SY + "test_cosh", "cosh(X)", "X", lambda X, **_: np.cosh(X), shapes=MN),
    Q("autograd", SY + "test_exp", "exp(X)", "X", lambda X, **_: exp(X), shapes=MN),
    Q("autograd", SY + "test_expm1", "exp(X) - 1", "X", lambda X, **_: np.expm1(X), shapes=MN),
    Q("autograd", SY + "test_exp2", "2.^X", "X", lambda X, **_: np.exp2(X), shapes=MN),
    Q("autograd", SY + "test_log", "log(X)", "X", lambda X, **_: log(X), shapes=MN,
      point="positive"),
    Q("autograd", SY + "test_log1p", "log(1 + X)", "X", lambda X, **_: np.log1p(X), shapes=MN,
      point="positive"),
    Q("autograd", SY + "test_log10", "log(X)/log(10)", "X", lambda X, **_: np.log10(X), shapes=MN,
      point="positive"),
    Q("autograd", SY + "test_sqrt", "sqrt(X)", "X", lambda X, **_: sqrt(X), shapes=MN,
      point="positive"),
    Q("autograd", SY + "test_square", "X.^2", "X", lambda X, **_: np.square(X), shapes=MN),
    Q("autograd", SY + "test_abs", "abs(X)", "X", lambda X, **_: np.abs(X), shapes=MN),
    Q("autograd", SY + "test_sign", "sign(X)", "X", lambda X, **_: np.sign(X), shapes=MN),
    Q("autograd", SY + "test_arcsinh", "arcsinh(X)", "X", None, shapes=MN,
      refused="unknown function 'arcsinh'"),
    Q("autograd", SY + "test_arcsinh", "log(X + sqrt(X.^2 + 1))", "X",
      lambda X, **_: np.arcsinh(X), shapes=MN),
    Q("autograd", SY + "test_add", "X + Y", "X", lambda X, Y, **_: X + Y,
      shapes={"X": ("m", "n"), "Y": ("m", "n")}),
    Q("autograd", SY + "test_op_sub", "X - Y", "Y", lambda X, Y, **_: X - Y,
      shapes={"X": ("m", "n"), "Y": ("m", "n")}),
    Q("autograd", SY + "test_op_mul", "X .* Y", "X", lambda X, Y, **_: X * Y,
      shapes={"X": ("m", "n"), "Y": ("m", "n")}),
    Q("autograd", SY + "test_true_divide", "X ./ Y", "X", lambda X, Y, **_: X / Y, shapes={"X": ("m", "n"), "Y": ("m", "n")}, point="positive"),
    Q("autograd", SY + "test_true_divide", "X ./ Y", "Y", lambda X, Y, **_: X / Y, shapes={"X": ("m", "n"), "Y": ("m", "n")}, point="positive"),
    Q("autograd", SY + "test_op_pow", "X .^ Y", "X", lambda X, Y, **_: X ** Y,
      shapes={"X": ("m", "n"), "Y": ("m", "n")}, point="positive"),
    Q("autograd", SY + "test_op_pow", "X .^ Y", "Y", lambda X, Y, **_: X ** Y,
      shapes={"X": ("m", "n"), "Y": ("m", "n")}, point="positive"),
    Q("autograd", SY + "test_op_pow (scalar exponent)", "X .^ t", "t", lambda X, t, **_: X ** s(t), shapes={"X": ("m", "n"), "t": (1, 1)}, point="positive"),
    Q("autograd", SY + "test_logaddexp", "log(exp(X) + exp(Y))", "X",
      lambda X, Y, **_: np.logaddexp(X, Y), shapes={"X": ("m", "n"), "Y": ("m", "n")}),
    Q("autograd", SY + "test_dot", "A B", "A", lambda A, B, **_: A @ B,
      shapes={"A": ("p", "n"), "B": ("n", "m")}),
    Q("autograd", SY + "test_dot", "A B", "B", lambda A, B, **_: A @ B,
      shapes={"A": ("p", "n"), "B": ("n", "m")}),
    Q("autograd", SY + "test_dot (vectors)", "a' b", "a", lambda a, b, **_: a.T @ b),
    Q("autograd", SY + "test_dot (scalar)", "t * A", "t", lambda t, A, **_: s(t) * A,
      shapes={"t": (1, 1), "A": ("n", "m")}),
    Q("autograd", SY + "test_einsum_transpose", "X'", "X", lambda X, **_: X.T,
      shapes={"X": ("m", "n")}),
    Q("autograd", SY + "test_trace", "tr(X)", "X", lambda X, **_: tr(X)),
    Q("autograd", SY + "test_trace (4×5)", "tr(X)", "X", None, shapes={"X": ("m", "n")},
      refused="the trace needs a square matrix"),
]

# ── MatrixCalculus.org: its examples, verbatim, and one question an operator ─────────────────
MC_EX = "example"
MC_OP = "operators"
VEC2 = {"x": "n", "y": "n"}
MATRIXCALCULUS = [
    Q("matrixcalculus.org", MC_EX, "0.5*x'*A*x", "x", lambda x, A, **_: 0.5 * x.T @ A @ x),
    Q("matrixcalculus.org", MC_EX, "A*exp(x)", "x", lambda A, x, **_: A @ exp(x)),
    Q("matrixcalculus.org", MC_EX, "sin(x)'*y", "x", lambda x, y, **_: sin(x).T @ y),
    Q("matrixcalculus.org", MC_EX, "(y.*v)'*x", "x", lambda y, v, x, **_: (y * v).T @ x),
    Q("matrixcalculus.org", MC_EX, "a^b", "a", lambda a, b, **_: s(a) ** s(b), point="positive"),
    Q("matrixcalculus.org", MC_EX, "norm1(A*x-y)", "x", lambda A, x, y, **_: np.abs(A @ x - y).sum()),
    Q("matrixcalculus.org", MC_EX, "norm2(A*x-y)^2", "x", lambda A, x, y, **_: norm(A @ x - y) ** 2),
    Q("matrixcalculus.org", MC_EX, "sum(log(exp(-y.*(X*w)) + vector(1)))", "w",
      lambda y, X, w, **_: log(exp(-y * (X @ w)) + 1).sum()),
    Q("matrixcalculus.org", MC_EX, "tr(A*X'*B*X*C)", "X",
      lambda A, X, B, C, **_: tr(A @ X.T @ B @ X @ C)),
    Q("matrixcalculus.org", MC_EX, "log(det(inv(X)))", "X", lambda X, **_: -log(det(X))),
    Q("matrixcalculus.org", MC_OP, "x + y", "x", lambda x, y, **_: x + y),
    Q("matrixcalculus.org", MC_OP, "x - y", "y", lambda x, y, **_: x - y),
    Q("matrixcalculus.org", MC_OP, "A*x", "x", lambda A, x, **_: A @ x),
    Q("matrixcalculus.org", MC_OP, "x'*y", "x", lambda x, y, **_: x.T @ y),
    Q("matrixcalculus.org", MC_OP, "x.*y", "x", lambda x, y, **_: x * y),
    Q("matrixcalculus.org", MC_OP, "x./y", "y", lambda x, y, **_: x / y,
      point="positive"),
    Q("matrixcalculus.org", MC_OP, "-x", "x", lambda x, **_: -x),
    Q("matrixcalculus.org", MC_OP, "x'", "x", lambda x, **_: x.T),
    Q("matrixcalculus.org", MC_OP, "A'*x", "x", lambda A, x, **_: A.T @ x),
    Q("matrixcalculus.org", MC_OP, "2*x", "x", lambda x, **_: 2 * x),
    Q("matrixcalculus.org", MC_OP, "x/2", "x", lambda x, **_: x / 2),
    Q("matrixcalculus.org", MC_OP, "sum(sin(x))", "x", lambda x, **_: sin(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sum(cos(x))", "x", lambda x, **_: cos(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sum(tan(x))", "x", lambda x, **_: tan(x).sum(), point="small"),
    Q("matrixcalculus.org", MC_OP, "sum(arcsin(x))", "x", lambda x, **_: np.arcsin(x).sum(), point="small"),
    Q("matrixcalculus.org", MC_OP, "sum(arccos(x))", "x", lambda x, **_: np.arccos(x).sum(), point="small"),
    Q("matrixcalculus.org", MC_OP, "sum(arctan(x))", "x", lambda x, **_: np.arctan(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sum(exp(x))", "x", lambda x, **_: exp(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sum(log(x))", "x", lambda x, **_: log(x).sum(),
      point="positive"),
    Q("matrixcalculus.org", MC_OP, "sum(sqrt(x))", "x", lambda x, **_: sqrt(x).sum(), point="positive"),
    Q("matrixcalculus.org", MC_OP, "sum(abs(x))", "x", lambda x, **_: np.abs(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sign(x)'*x", "x", lambda x, **_: np.sign(x).T @ x),
    Q("matrixcalculus.org", MC_OP, "sum(relu(x))", "x", lambda x, **_: relu(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sum(tanh(x))", "x", lambda x, **_: tanh(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sum(sinh(x))", "x", lambda x, **_: np.sinh(x).sum()),
    Q("matrixcalculus.org", MC_OP, "sum(cosh(x))", "x", lambda x, **_: np.cosh(x).sum()),
    Q("matrixcalculus.org", MC_OP, "x.^2'*y", "x", lambda x, y, **_: (x ** 2).T @ y),
    Q("matrixcalculus.org", MC_OP, "(A*x)'*inv(A)*x", "x",
      lambda A, x, **_: (A @ x).T @ inv(A) @ x),
    Q("matrixcalculus.org", MC_OP, "norm1(x)", "x", lambda x, **_: np.abs(x).sum()),
    Q("matrixcalculus.org", MC_OP, "norm2(x)", "x", lambda x, **_: norm(x)),
    Q("matrixcalculus.org", MC_OP, "det(A)*x'*x", "A", lambda A, x, **_: det(A) * x.T @ x),
    Q("matrixcalculus.org", MC_OP, "log(det(A))*x'*x", "A",
      lambda A, x, **_: log(det(A)) * x.T @ x),
    Q("matrixcalculus.org", MC_OP, "tr(inv(A))*x'*x", "A",
      lambda A, x, **_: tr(inv(A)) * x.T @ x),
    Q("matrixcalculus.org", MC_OP, "x'*diag(x)*x", "x", lambda x, **_: x.T @ np.diag(x.ravel()) @ x),
    Q("matrixcalculus.org", MC_OP, "sum(x.^t)", "t", lambda x, t, **_: (x ** s(t)).sum(), shapes={"t": (1, 1)}, point="positive"),
    Q("matrixcalculus.org", MC_OP, "t^s*sum(x)", "s", lambda t, s, x, **_: t ** s * x.sum(), shapes={"t": (1, 1), "s": (1, 1)}, point="positive"),
    Q("matrixcalculus.org", MC_OP, "x'*vector(2)", "x", lambda x, **_: x.T @ (2 * ones(3))),
    Q("matrixcalculus.org", MC_OP, "tr(matrix(3)*A)*sum(x)", "A",
      lambda A, x, **_: tr(3 * ones(3, 3) @ A) * x.sum()),
    Q("matrixcalculus.org", MC_OP, "x'*eye*x", "x", lambda x, **_: x.T @ x),
]

# ── The Matrix Cookbook, chapter 2 (equation numbers of the 2012 edition) ─────────────────────
SYM_NOTE = "the Cookbook assumes"


def _cb(where, text, wrt, ref, claim=None, shapes=None, **kw):
    return Q("cookbook", where, text, wrt, ref, claim, shapes or {}, **kw)


RECT_TRACES = {"X": ("m", "n"), "A": ("p", "m"), "B": ("n", "p")}
COOKBOOK = [
    # §2.1 basic: the differentials of (33)–(45) as Jacobians
    _cb("§2.1 (33)", "A", "X", lambda A, **_: A, "0", MN | {"A": ("p", "p")}),
    _cb("§2.1 (34)", "alpha*X", "X", lambda alpha, X, **_: s(alpha) * X, "alpha*I",
        MN | {"alpha": (1, 1)}),
    _cb("§2.1 (35)", "X + Y", "X", lambda X, Y, **_: X + Y, "I", MN),
    _cb("§2.1 (36)", "tr(X)", "X", lambda X, **_: tr(X), "vec(I)'"),
    _cb("§2.1 (37)", "X Y", "X", lambda X, Y, **_: X @ Y, "Y' ⊗ I", MN | {"Y": ("n", "p")}),
    _cb("§2.1 (37)", "X Y", "Y", lambda X, Y, **_: X @ Y, "I ⊗ X", MN | {"Y": ("n", "p")}),
    _cb("§2.1 (38)", "X .* Y", "X", lambda X, Y, **_: X * Y, "diag(vec(Y))", MN),
    _cb("§2.1 (39)", "kron(X, Y)", "X", lambda X, Y, **_: kron(X, Y), shapes=MN | {"Y": ("p", "p")}),
    _cb("§2.1 (39)", "kron(X, Y)", "Y", lambda X, Y, **_: kron(X, Y), shapes=MN | {"Y": ("p", "p")}),
    _cb("§2.1 (40)", "inv(X)", "X", lambda X, **_: inv(X), "-(inv(X)' ⊗ inv(X))"),
    _cb("§2.1 (41)", "det(X)", "X", lambda X, **_: det(X), "adj(X)'"),
    _cb("§2.1 (42)", "det(X)", "X", lambda X, **_: det(X), "det(X) inv(X)'"),
    _cb("§2.1 (43)", "ln det(X)", "X", lambda X, **_: log(det(X)), "inv(X)'"),
    _cb("§2.1 (43), without brackets", "ln det X", "X", None,
        refused="expected '(' after the function ln, found 'det'"),
    _cb("§2.1 (44)", "X'", "X", lambda X, **_: X.T, "K_mn", MN),
    _cb("§2.1 (45), over the reals", "X^H", "X", lambda X, **_: X.T, "K_mn", MN),
    _cb("§2.1 (37): X·X", "X^2", "X", lambda X, **_: X @ X, "I ⊗ X + X' ⊗ I"),
    _cb("§2.1 (37): X·X·X", "X^3", "X", lambda X, **_: X @ X @ X,
        "I ⊗ X^2 + X' ⊗ X + (X^2)' ⊗ I"),
    # §2.1.1 determinants
    _cb("§2.1.1 (46)", "det(A + t*B)", "t", lambda A, t, B, **_: det(A + s(t) * B),
        "det(A + t*B) tr(inv(A + t*B) B)", T),
    _cb("§2.1.1 (48)", "det(A + t*B)", "t", lambda A, t, B, **_: det(A + s(t) * B),
        "det(A + t*B) (tr(inv(A + t*B) B)^2 - tr(inv(A + t*B) B inv(A + t*B) B))", T, order=2),
    _cb("§2.1.1 (51)", "det(A X B)", "X", lambda A, X, B, **_: det(A @ X @ B),
        "det(A X B) inv(X)'"),
    _cb("§2.1.1 (51)", "det(A X B)", "X", lambda A, X, B, **_: det(A @ X @ B),
        "det(A X B) (X')^-1"),
    _cb("§2.1.1 (52)", "det(X' A X)", "X", lambda X, A, **_: det(X.T @ A @ X),
        "2 det(X' A X) inv(X)'"),
    _cb("§2.1.1 (53), A symmetric", "det(X' A X)", "X", lambda X, A, **_: det(X.T @ A @ X),
        "2 det(X' A X) A X inv(X' A X)", {"X": ("m", "n"), "A": ("m", "m")}, point="sym:A",
        claim_where="A symmetric"),
    _cb("§2.1.1 (54)", "det(X' A X)", "X", lambda X, A, **_: det(X.T @ A @ X),
        "det(X' A X) (A X inv(X' A X) + A' X inv(X' A' X))", {"X": ("m", "n"), "A": ("m", "m")}),
    _cb("§2.1.1 (55)", "ln det(X^T X)", "X", lambda X, **_: log(det(X.T @ X)), "2 pinv(X)'", MN),
    _cb("§2.1.1 (57)", "ln|det(X)|", "X", lambda X, **_: log(abs(det(X))), "inv(X)'",
        point="negdet:X"),
    _cb("§2.1.1 (58), k = 2", "det(X^2)", "X", lambda X, **_: det(X @ X), "2 det(X^2) inv(X)'"),
    _cb("§2.1.1 (58), k = 3", "det(X^3)", "X", lambda X, **_: det(X @ X @ X),
        "3 det(X^3) inv(X)'"),
    _cb("§2.1.1 (58)", "det(X^k)", "X", None, refused="a power with a symbolic exponent needs a "
        "scalar base"),
    # §2.2 inverses
    _cb("§2.2 (59)", "inv(A + t*B)", "t", lambda A, t, B, **_: inv(A + s(t) * B),
        "-vec(inv(A + t*B) B inv(A + t*B))", T),
    _cb("§2.2 (61)", "a' inv(X) b", "X", lambda a, X, b, **_: a.T @ inv(X) @ b,
        "-inv(X)' a b' inv(X)'"),
    _cb("§2.2 (62)", "det(X^-1)", "X", lambda X, **_: 1 / det(X), "-det(X^-1) (X^-1)'"),
    _cb("§2.2 (63)", "tr(A X^-1 B)", "X", lambda A, X, B, **_: tr(A @ inv(X) @ B),
        "-(X^-1 B A X^-1)'"),
    _cb("§2.2 (64)", "tr((X + A)^-1)", "X", lambda X, A, **_: tr(inv(X + A)),
        "-((X + A)^-1 (X + A)^-1)'"),
    # §2.3 eigenvalues
    _cb("§2.3 (sum of eigenvalues)", "sum(eig(S))", "S", lambda S, **_: np.linalg.eigvalsh((S + S.T) / 2).sum(),
        "I", point="spd:S"),
    _cb("§2.3 (one eigenvalue of a symmetric matrix)", "max(eig(S))", "S", lambda S, **_: np.linalg.eigvalsh((S + S.T) / 2).max(),
        point="spd:S"),
    _cb("§2.3 (one eigenvalue of a symmetric matrix)", "min(eig(S))", "S", lambda S, **_: np.linalg.eigvalsh((S + S.T) / 2).min(),
        point="spd:S"),
    # §2.4.1 first order
    _cb("§2.4.1 (69)", "x' a", "x", lambda x, a, **_: x.T @ a, "a", {"x": "m"}),
    _cb("§2.4.1 (70)", "a' X b", "X", lambda a, X, b, **_: a.T @ X @ b, "a b'",
        MN | {"a": "m", "b": "n"}),
    _cb("§2.4.1 (71)", "a' X' b", "X", lambda a, X, b, **_: a.T @ X.T @ b, "b a'",
        MN | {"a": "n", "b": "m"}),
    _cb("§2.4.1 (72)", "a' X' a", "X", lambda a, X, **_: a.T @ X.T @ a, "a a'"),
    _cb("§2.4.1 (73)", "X", "X", lambda X, **_: X, "I", MN),
    _cb("§2.4.1 (74)", "X A", "X", lambda X, A, **_: X @ A, "A' ⊗ I", MN | {"A": ("n", "p")}),
    _cb("§2.4.1 (75)", "X' A", "X", lambda X, A, **_: X.T @ A, "(A' ⊗ I_n) K_mn", MN | {"A": ("m", "p")}),
    # §2.4.2 second order
    _cb("§2.4.2 (76)", "sum(X)^2", "X", lambda X, **_: X.sum() ** 2, "2*sum(X)*ones"),
    _cb("§2.4.2 (77)", "b' X' X c", "X", lambda b, X, c, **_: b.T @ X.T @ X @ c,
        "X (b c' + c b')", MN),
    _cb("§2.4.2 (78)", "(B x + b)' C (D x + d)", "x",
        lambda B, x, b, C, D, d, **_: (B @ x + b).T @ C @ (D @ x + d),
        "B' C (D x + d) + D' C' (B x + b)", {"B": ("m", "n"), "D": ("m", "n"), "C": ("m", "m")}),
    _cb("§2.4.2 (80)", "X' B X", "X", lambda X, B, **_: X.T @ B @ X,
        shapes={"X": ("m", "n"), "B": ("m", "m")}),
    _cb("§2.4.2 (81)", "x' B x", "x", lambda x, B, **_: x.T @ B @ x, "(B + B') x"),
    _cb("§2.4.2 (82)", "b' X' D X c", "X", lambda b, X, D, c, **_: b.T @ X.T @ D @ X @ c,
        "D' X b c' + D X c b'", {"X": ("m", "n"), "D": ("m", "m")}),
    _cb("§2.4.2 (83)", "(X b + c)' D (X b + c)", "X",
        lambda X, b, c, D, **_: (X @ b + c).T @ D @ (X @ b + c), "(D + D') (X b + c) b'"),
    _cb("§2.4.2 (84), W symmetric", "(x - A s)' W (x - A s)", "s",
        lambda x, A, s, W, **_: (x - A @ s).T @ W @ (x - A @ s), "-2 A' W (x - A s)",
        {"A": ("m", "n"), "x": "m", "W": ("m", "m")}, point="sym:W", claim_where="W symmetric"),
    _cb("§2.4.2 (85), W symmetric", "(x - s)' W (x - s)", "x",
        lambda x, s, W, **_: (x - s).T @ W @ (x - s), "2 W (x - s)", point="sym:W",
        claim_where="W symmetric"),
    _cb("§2.4.2 (86), W symmetric", "(x - s)' W (x - s)", "s",
        lambda x, s, W, **_: (x - s).T @ W @ (x - s), "-2 W (x - s)", point="sym:W",
        claim_where="W symmetric"),
    _cb("§2.4.2 (87), W symmetric", "(x - A s)' W (x - A s)", "x",
        lambda x, A, s, W, **_: (x - A @ s).T @ W @ (x - A @ s), "2 W (x - A s)",
        {"A": ("m", "n"), "x": "m", "W": ("m", "m")}, point="sym:W", claim_where="W symmetric"),
    _cb("§2.4.2 (88), W symmetric", "(x - A s)' W (x - A s)", "A",
        lambda x, A, s, W, **_: (x - A @ s).T @ W @ (x - A @ s), "-2 W (x - A s) s'",
        {"A": ("m", "n"), "x": "m", "W": ("m", "m")}, point="sym:W", claim_where="W symmetric"),
    # §2.4.3 higher order
    _cb("§2.4.3 (90), n = 2", "a' X^2 b", "X", lambda a, X, b, **_: a.T @ X @ X @ b,
        "a b' X' + X' a b'"),
    _cb("§2.4.3 (90), n = 3", "a' X^3 b", "X", lambda a, X, b, **_: a.T @ X @ X @ X @ b,
        "a b' (X^2)' + X' a b' X' + (X^2)' a b'"),
    _cb("§2.4.3 (91), n = 2", "a' (X^2)' X^2 b", "X",
        lambda a, X, b, **_: a.T @ (X @ X).T @ X @ X @ b),
    # §2.4.4 gradient and Hessian
    _cb("§2.4.4 (gradient)", "x' A x + b' x", "x", lambda x, A, b, **_: x.T @ A @ x + b.T @ x,
        "(A + A') x + b"),
    _cb("§2.4.4 (Hessian)", "x' A x + b' x", "x", lambda x, A, b, **_: x.T @ A @ x + b.T @ x,
        "A + A'", order=2),
    # §2.5.1 traces, first order, X rectangular
    _cb("§2.5.1 (100)", "tr(X A)", "X", lambda X, A, **_: tr(X @ A), "A'", MN | {"A": ("n", "m")}),
    _cb("§2.5.1 (101)", "tr(A X B)", "X", lambda A, X, B, **_: tr(A @ X @ B), "A' B'",
        RECT_TRACES),
    _cb("§2.5.1 (102)", "tr(A X' B)", "X", lambda A, X, B, **_: tr(A @ X.T @ B), "B A",
        {"X": ("m", "n"), "A": ("p", "n"), "B": ("m", "p")}),
    _cb("§2.5.1 (103)", "tr(X' A)", "X", lambda X, A, **_: tr(X.T @ A), "A", MN | {"A": ("m", "n")}),
    _cb("§2.5.1 (104)", "tr(A X')", "X", lambda A, X, **_: tr(A @ X.T), "A", MN | {"A": ("m", "n")}),
    _cb("§2.5.1 (105)", "tr(kron(A, X))", "X", lambda A, X, **_: tr(kron(A, X)), "tr(A) I",
        {"A": ("p", "p")}),
    # §2.5.2 second order, X rectangular where it may be
    _cb("§2.5.2 (108)", "tr(X' B X)", "X", lambda X, B, **_: tr(X.T @ B @ X), "B X + B' X",
        MN | {"B": ("m", "m")}),
    _cb("§2.5.2 (109)", "tr(B X X')", "X", lambda B, X, **_: tr(B @ X @ X.T), "B X + B' X",
        MN | {"B": ("m", "m")}),
    _cb("§2.5.2 (110)", "tr(X X' B)", "X", lambda X, B, **_: tr(X @ X.T @ B), "B X + B' X",
        MN | {"B": ("m", "m")}),
    _cb("§2.5.2 (111)", "tr(X B X')", "X", lambda X, B, **_: tr(X @ B @ X.T), "X B' + X B", MN),
    _cb("§2.5.2 (112)", "tr(B X' X)", "X", lambda B, X, **_: tr(B @ X.T @ X), "X B' + X B", MN),
    _cb("§2.5.2 (113)", "tr(X' X B)", "X", lambda X, B, **_: tr(X.T @ X @ B), "X B' + X B", MN),
    _cb("§2.5.2 (114)", "tr(A X B X)", "X", lambda A, X, B, **_: tr(A @ X @ B @ X),
        "A' X' B' + B' X' A'", MN | {"A": ("n", "m"), "B": ("n", "m")}),
    _cb("§2.5.2 (115)", "tr(X' X)", "X", lambda X, **_: tr(X.T @ X), "2 X", MN),
    _cb("§2.5.2 (115)", "tr(X X')", "X", lambda X, **_: tr(X @ X.T), "2 X", MN),
    _cb("§2.5.2 (116)", "tr(B' X' C X B)", "X", lambda B, X, C, **_: tr(B.T @ X.T @ C @ X @ B),
        "C' X B B' + C X B B'", {"X": ("m", "n"), "C": ("m", "m"), "B": ("n", "p")}),
    _cb("§2.5.2 (117)", "tr(X' B X C)", "X", lambda X, B, C, **_: tr(X.T @ B @ X @ C),
        "B X C + B' X C'", MN | {"B": ("m", "m")}),
    _cb("§2.5.2 (118)", "tr(A X B X' C)", "X", lambda A, X, B, C, **_: tr(A @ X @ B @ X.T @ C),
        "A' C' X B' + C A X B", {"X": ("m", "n"), "A": ("p", "m"), "C": ("m", "p")}),
    _cb("§2.5.2 (119)", "tr((A X B + C)(A X B + C)')", "X",
        lambda A, X, B, C, **_: tr((A @ X @ B + C) @ (A @ X @ B + C).T), "2 A' (A X B + C) B'",
        RECT_TRACES | {"C": ("p", "p")}),
    _cb("§2.5.2 (120)", "tr(kron(X, X))", "X", lambda X, **_: tr(kron(X, X)), "2 tr(X) I"),
    _cb("§2.5.2 (120)", "tr(X) tr(X)", "X", lambda X, **_: tr(X) * tr(X), "2 tr(X) I"),
    # §2.5.3 higher order
    _cb("§2.5.3 (121), k = 3", "tr(X^3)", "X", lambda X, **_: tr(X @ X @ X), "3 (X^2)'"),
    _cb("§2.5.3 (121), k = 4", "tr(X^4)", "X", lambda X, **_: tr(X @ X @ X @ X), "4 (X^3)'"),
    _cb("§2.5.3 (121)", "tr(X^k)", "X", None, refused="a power with a symbolic exponent needs a "
        "scalar base"),
    _cb("§2.5.3 (122), k = 2", "tr(A X^2)", "X", lambda A, X, **_: tr(A @ X @ X),
        "(A X)' + (X A)'"),
    _cb("§2.5.3 (122), k = 3", "tr(A X^3)", "X", lambda A, X, **_: tr(A @ X @ X @ X),
        "(A X^2)' + (X A X)' + (X^2 A)'"),
    _cb("§2.5.3 (123)", "tr(B' X' C X X' C X B)", "X",
        lambda B, X, C, **_: tr(B.T @ X.T @ C @ X @ X.T @ C @ X @ B),
        "C X X' C X B B' + C' X B B' X' C' X + C X B B' X' C X + C' X X' C' X B B'",
        {"X": ("m", "n"), "C": ("m", "m"), "B": ("n", "p")}),
    # §2.5.4 other
    _cb("§2.5.4 (124)", "tr(A inv(X) B)", "X", lambda A, X, B, **_: tr(A @ inv(X) @ B),
        "-(inv(X) B A inv(X))'", {"A": ("p", "n"), "B": ("n", "p")}),
    _cb("§2.5.4 (125), C symmetric", "tr(inv(X' C X) A)", "X",
        lambda X, C, A, **_: tr(inv(X.T @ C @ X) @ A),
        "-(C X inv(X' C X)) (A + A') inv(X' C X)", {"X": ("m", "n"), "C": ("m", "m")},
        point="spd:C", claim_where="C symmetric"),
    _cb("§2.5.4 (126), B and C symmetric", "tr(inv(X' C X) (X' B X))", "X",
        lambda X, C, B, **_: tr(inv(X.T @ C @ X) @ X.T @ B @ X),
        "-2 C X inv(X' C X) X' B X inv(X' C X) + 2 B X inv(X' C X)",
        {"X": ("m", "n"), "C": ("m", "m"), "B": ("m", "m")}, point="spd:C;sym:B",
        claim_where="B and C symmetric"),
    _cb("§2.5.4 (127), A, B and C symmetric", "tr(inv(A + X' C X) (X' B X))", "X",
        lambda A, X, C, B, **_: tr(inv(A + X.T @ C @ X) @ X.T @ B @ X),
        "-2 C X inv(A + X' C X) X' B X inv(A + X' C X) + 2 B X inv(A + X' C X)",
        {"X": ("m", "n"), "C": ("m", "m"), "B": ("m", "m")}, point="spd:A,C;sym:B",
        claim_where="A, B and C symmetric"),
    _cb("§2.5.4 (127), general A, B, C", "tr(inv(A + X' C X) (X' B X))", "X",
        lambda A, X, C, B, **_: tr(inv(A + X.T @ C @ X) @ X.T @ B @ X),
        shapes={"X": ("m", "n"), "C": ("m", "m"), "B": ("m", "m")}),
    # §2.6 vector norms
    _cb("§2.6.1 (129)", "‖x - a‖₂", "x", lambda x, a, **_: norm(x - a), "(x - a)/‖x - a‖₂"),
    _cb("§2.6.1 (130)", "(x - a)/‖x - a‖₂", "x", lambda x, a, **_: (x - a) / norm(x - a),
        "I/‖x - a‖₂ - (x - a)(x - a)'/‖x - a‖₂^3"),
    _cb("§2.6.1 (131)", "‖x‖₂^2", "x", lambda x, **_: norm(x) ** 2, "2 x"),
    _cb("§2.6.1 (131)", "‖x' x‖₂", "x", lambda x, **_: abs(s(x.T @ x)), "2 x"),
    # §2.7 matrix norms
    _cb("§2.7.1 (132)", "‖X‖_F^2", "X", lambda X, **_: norm(X) ** 2, "2 X", MN),
    _cb("§2.7.1 (132)", "norm2(X)^2", "X", lambda X, **_: np.sum(X * X), "2 X", MN),
    _cb("§2.7.1 (132)", "tr(X X^H)", "X", lambda X, **_: np.sum(X * X), "2 X", {"X": ("n", "m")}),
    # §2.8.2 symmetric matrices: the gradient by the free elements (derive(..., symmetric=X))
    _cb("§2.8.2", "tr(A X)", "X", lambda A, X, **_: tr(A @ X), "A + A' - A .* I",
        point="sym:X", symmetric="X"),
    _cb("§2.8.2", "det(X)", "X", lambda X, **_: det(X), "det(X) (2 inv(X) - inv(X) .* I)",
        point="sym:X", symmetric="X"),
    _cb("§2.8.2", "logdet(X)", "X", lambda X, **_: log(det(X)), "2 inv(X) - inv(X) .* I",
        point="sym:X", symmetric="X"),
    _cb("§2.8.2", "tr(X^2)", "X", lambda X, **_: tr(X @ X),
        point="sym:X", symmetric="X"),
    _cb("§2.8.2", "x' X x", "X", lambda x, X, **_: x.T @ X @ x,
        point="sym:X", symmetric="X"),
    _cb("§2.8.2", "tr(inv(X) A)", "X", lambda X, A, **_: tr(inv(X) @ A), point="spd:X",
        symmetric="X"),
]

QUESTIONS: list[Q] = SYMPY + SYMPY_SPELLED + SYMPY_ARRAY + TENSORGRAD + AUTOGRAD + MATRIXCALCULUS + COOKBOOK
