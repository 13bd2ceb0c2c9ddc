"""The rule table: one Jacobian rule per kind of node, in vec/Kronecker form.

Each rule gives ∂F = ∂vec F / ∂(vec X)ᵀ from the Jacobians of F's operands, following the
article in the project's seed and Magnus & Neudecker, *Matrix Differential Calculus* (3rd ed.),
chapters 9–10 and Table 10.1 (vec of a Kronecker product: their Theorem 3.10). Rules return raw
expressions; the simplifier turns them into the forms a mathematician writes.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from fractions import Fraction

from .build import add, hadamard, kron, mul, neg, number
from .dims import ONE
from .expr import (Adj, Chol, Extreme, Factor, Frechet, HalfLower, MatFunc, Pinv, Spectrum)
from .expr import (Add, Commutation, Det, DiagMatrix, DiagPart, Duplication, ElementFunc,
                   ElementPow, Expr, Func, Hadamard, Identity, Inverse, Kron, LogDet, Mul, Norm,
                   LogSumExp, Num, Ones, Power, ScalarPow, Size, Softmax, SumAll, Trace, Transpose, Var,
                   Vec, Zero)


Rule = namedtuple("Rule", "name node jacobian")
Rule.__doc__ = "A rule of the table: its name, the node type it derives, and jacobian(node, d), " \
    "where d(child) is the child's Jacobian."


RULES: dict[type, Rule] = {}


def rule(node: type, name: str):
    def register(fn):
        RULES[node] = Rule(name, node, fn)
        return fn
    return register


def _t(e: Expr) -> Expr:
    return e if isinstance(e, Identity) else Transpose(e)


def _vecT(e: Expr) -> Expr:
    """vecᵀ(e), the row that pairs with vec: vecᵀ(G) vec(E) = tr(GᵀE)."""
    return Transpose(Vec(e))


def _inv_t(e: Expr) -> Expr:
    return Transpose(Inverse(e))


# ── leaves ──

@rule(Var, "variable rule")
def _variable(node, d):
    """∂X/∂X = I (1 for a scalar: da/da); another variable is a constant."""
    if node is d.wrt:
        return number(1) if node.is_scalar else Identity(node.size)
    return Zero(node.size, d.wrt.size)


def _constant(node, d):
    """∂C = 0 for anything that does not depend on X."""
    return Zero(node.size, d.wrt.size)


for _leaf in (Num, Identity, Zero, Commutation, Size):
    RULES[_leaf] = Rule("constant rule", _leaf, _constant)


# ── linear operations ──

@rule(Add, "sum rule")
def _sum(node, d):
    """∂(F + G) = ∂F + ∂G"""
    return add(*(d(t) for t in node.terms if d.depends(t)))


@rule(Transpose, "transpose rule")
def _transpose(node, d):
    """∂Fᵀ = K ∂F, with K = K_mn for F of shape m×n"""
    m, n = node.arg.shape
    return mul(Commutation(m, n), d(node.arg))


@rule(Vec, "vec rule")
def _vec(node, d):
    """∂vec F = ∂F"""
    return d(node.arg)


@rule(Trace, "trace rule")
def _trace(node, d):
    """∂tr F = vecᵀ(I) ∂F"""
    return mul(_vecT(Identity(node.arg.shape[0])), d(node.arg))


# ── products ──

@rule(Mul, "product rule")
def _product(node, d):
    """∂(FG) = (I ⊗ F)∂G + (Gᵀ ⊗ I)∂F, and ∂(sF) = vec(F)∂s + s∂F for a scalar s.

    For a chain F₁⋯F_k each factor contributes (Sᵀ ⊗ P)∂Fᵢ, with P the factors before it
    and S those after it, so the rule is applied once, not k − 1 times.
    """
    scalars, chain = node.scalars, node.matrices
    terms = []
    for j in reversed(range(len(chain))):
        factor = chain[j]
        if d.depends(factor):
            before = mul(*chain[:j]) if j else Identity(factor.shape[0])
            after = mul(*chain[j + 1:]) if j + 1 < len(chain) else Identity(factor.shape[1])
            terms.append(mul(*scalars, kron(_t(after), before), d(factor)))
    for i in reversed(range(len(scalars))):
        if d.depends(scalars[i]):
            rest = scalars[:i] + scalars[i + 1:] + chain
            terms.append(mul(Vec(mul(*rest)), d(scalars[i])) if rest else d(scalars[i]))
    return add(*terms)


@rule(Kron, "Kronecker product rule")
def _kronecker(node, d):
    """∂(F ⊗ G) = (I_n ⊗ K_qm ⊗ I_p)((I_mn ⊗ vec G)∂F + (vec F ⊗ I_pq)∂G), F m×n, G p×q"""
    F, G = node.left, node.right
    (m, n), (p, q) = F.shape, G.shape
    terms = []
    if d.depends(F):
        terms.append(mul(kron(Identity(m * n), Vec(G)), d(F)))
    if d.depends(G):
        terms.append(mul(kron(Vec(F), Identity(p * q)), d(G)))
    return mul(kron(kron(Identity(n), Commutation(q, m)), Identity(p)), add(*terms))


@rule(Power, "power rule")
def _power(node, d):
    """∂Fᵏ = Σⱼ ((Fᵀ)ᵏ⁻¹⁻ʲ ⊗ Fʲ) ∂F for k > 0;  ∂F⁻ᵏ = −(F⁻ᵏᵀ ⊗ F⁻ᵏ) ∂Fᵏ"""
    F, k = node.arg, node.k
    if k < 0:
        return mul(number(-1), kron(Transpose(node), node), _power(Power(F, -k), d))
    n = F.shape[0]

    def pow_(base, j):
        return Identity(n) if j == 0 else base if j == 1 else Power(base, j)
    return add(*(mul(kron(pow_(Transpose(F), k - 1 - j), pow_(F, j)), d(F)) for j in reversed(range(k))))


# ── inverse and determinants ──

@rule(Inverse, "inverse rule")
def _inverse(node, d):
    """∂F⁻¹ = −(F⁻ᵀ ⊗ F⁻¹) ∂F"""
    return mul(number(-1), kron(_inv_t(node.arg), node), d(node.arg))


@rule(Det, "determinant rule")
def _determinant(node, d):
    """∂|F| = |F| vecᵀ(F⁻ᵀ) ∂F"""
    return mul(node, _vecT(_inv_t(node.arg)), d(node.arg))


@rule(LogDet, "log-determinant rule")
def _log_determinant(node, d):
    """∂ln|F| = vecᵀ(F⁻ᵀ) ∂F"""
    return mul(_vecT(_inv_t(node.arg)), d(node.arg))


# ── functions: the chain rule, for scalars and element by element ──

# f′ for each function the input language knows, built with `apply` and `power`: the scalar
# constructors (Func, ScalarPow) or the element-wise ones (ElementFunc, ElementPow).
DERIVATIVES: dict[str, Callable[[Expr, Callable, Callable], Expr]] = {
    "log": lambda s, apply, power: power(s, Fraction(-1)),
    "exp": lambda s, apply, power: apply("exp", s),
    "sqrt": lambda s, apply, power: mul(number(Fraction(1, 2)), power(s, Fraction(-1, 2))),
    "sin": lambda s, apply, power: apply("cos", s),
    "cos": lambda s, apply, power: mul(number(-1), apply("sin", s)),
    "tanh": lambda s, apply, power: power(apply("cosh", s), Fraction(-2)),
    "cosh": lambda s, apply, power: apply("sinh", s),
    "sinh": lambda s, apply, power: apply("cosh", s),
    # tan′ = 1/cos²; arcsin′ = (1 − s²)^(−1/2); arccos′ = −(1 − s²)^(−1/2); arctan′ = 1/(1 + s²)
    "tan": lambda s, apply, power: power(apply("cos", s), Fraction(-2)),
    "arcsin": lambda s, apply, power: power(_one_plus(s, -1, power), Fraction(-1, 2)),
    "arccos": lambda s, apply, power: mul(number(-1), power(_one_plus(s, -1, power), Fraction(-1, 2))),
    "arctan": lambda s, apply, power: power(_one_plus(s, 1, power), Fraction(-1)),
    # Where these have no derivative (at 0) the convention of jax and PyTorch: abs′(0) = 0,
    # relu′(0) = 0; sign′ = 0 (a step). relu′(s) = sign(relu(s)): 1 where s > 0, else 0.
    "abs": lambda s, apply, power: apply("sign", s),
    "sign": lambda s, apply, power: number(0) if s.is_scalar else Zero(*s.shape),
    "relu": lambda s, apply, power: apply("sign", apply("relu", s)),
    "sigmoid": lambda s, apply, power: hadamard(apply("sigmoid", s), one_minus(apply("sigmoid", s))),
    "softplus": lambda s, apply, power: apply("sigmoid", s),
}


def _one_plus(s: Expr, sign: int, power) -> Expr:
    """1 ± s², with 1 the all-ones 𝟏 for a matrix s."""
    one = number(1) if s.is_scalar else Ones(*s.shape)
    return add(one, mul(number(sign), power(s, Fraction(2))))


def one_minus(e: Expr) -> Expr:
    """1 − e, or 𝟏 − e for a matrix: σ′ = σ ∘ (𝟏 − σ) (the logistic function's derivative)."""
    return add(number(1) if e.is_scalar else Ones(*e.shape), neg(e))


@rule(Func, "chain rule")
def _scalar_function(node, d):
    """∂f(s) = f′(s) ∂s for each function of DERIVATIVES (log, exp, sin, …) of a scalar s"""
    return mul(DERIVATIVES[node.name](node.arg, Func, ScalarPow), d(node.arg))


@rule(ScalarPow, "scalar power rule")
def _scalar_power(node, d):
    """∂sᵖ = p sᵖ⁻¹ ∂s"""
    p = node.exponent
    lowered = node.arg if p - 1 == 1 else ScalarPow(node.arg, p - 1)
    return mul(number(p), lowered, d(node.arg)) if p != 1 else d(node.arg)


# ── element-wise maps, diagonals, sums and norms ──

@rule(ElementFunc, "element-wise chain rule")
def _element_function(node, d):
    """∂f(F) = diag(vec f′(F)) ∂F for f applied element by element"""
    return mul(DiagMatrix(Vec(DERIVATIVES[node.name](node.arg, ElementFunc, ElementPow))), d(node.arg))


@rule(ElementPow, "element-wise power rule")
def _element_power(node, d):
    """∂F.^p = p diag(vec F.^(p−1)) ∂F"""
    F, p = node.arg, node.exponent
    lowered = F if p - 1 == 1 else Ones(*F.shape) if p == 1 else ElementPow(F, p - 1)
    return mul(number(p), DiagMatrix(Vec(lowered)), d(F))


@rule(Hadamard, "Hadamard product rule")
def _hadamard(node, d):
    """∂(F ∘ G) = diag(vec G) ∂F + diag(vec F) ∂G"""
    F, G = node.left, node.right
    terms = []
    if d.depends(F):
        terms.append(mul(DiagMatrix(Vec(G)), d(F)))
    if d.depends(G):
        terms.append(mul(DiagMatrix(Vec(F)), d(G)))
    return add(*terms)


@rule(DiagMatrix, "diag rule")
def _diag_matrix(node, d):
    """∂diag(v) = diag(vec I)(𝟏 ⊗ I) ∂v, for v n×1 (vec diag(v) = vec(I ∘ v𝟏ᵀ))"""
    n = node.shape[0]
    selection = mul(DiagMatrix(Vec(Identity(n))), kron(Ones(n, ONE), Identity(n)))
    return mul(selection, d(node.arg))


@rule(DiagPart, "diagonal rule")
def _diag_part(node, d):
    """∂diag(F) = (𝟏ᵀ ⊗ I) diag(vec I) ∂F, for F n×n (diag(F) = (I ∘ F)𝟏)"""
    n = node.shape[0]
    selection = mul(kron(Ones(ONE, n), Identity(n)), DiagMatrix(Vec(Identity(n))))
    return mul(selection, d(node.arg))


@rule(SumAll, "sum-of-elements rule")
def _sum_all(node, d):
    """∂sum(F) = vecᵀ(𝟏) ∂F"""
    return mul(_vecT(Ones(*node.arg.shape)), d(node.arg))


@rule(Norm, "norm rule")
def _norm(node, d):
    """∂‖F‖ = vecᵀ(F) ∂F / ‖F‖"""
    return mul(ScalarPow(node, Fraction(-1)), _vecT(node.arg), d(node.arg))


# ── matrix functions, decompositions and spectra ──

@rule(MatFunc, "matrix function rule")
def _matrix_function(node, d):
    """∂vec f(F) = (V⁻ᵀ ⊗ V) diag(vec F)(Vᵀ ⊗ V⁻¹) ∂F for e^F and log F, F = VΛV⁻¹, F the
    divided differences of f on the eigenvalues; for F^½ the Sylvester form (I ⊗ F^½ + (F^½)ᵀ ⊗ I)⁻¹.

    Higham, *Functions of Matrices* (2008), Theorem 3.11 and §6.1; Magnus & Neudecker ch. 8.
    """
    return mul(Frechet(node.name, node.arg), d(node.arg))


def _diagonal_selection(n):
    """(𝟏ᵀ ⊗ I) diag(vec I): vec M ↦ diag(M), as in the diagonal rule."""
    return mul(kron(Ones(ONE, n), Identity(n)), DiagMatrix(Vec(Identity(n))))


@rule(Spectrum, "spectral rule")
def _spectrum(node, d):
    """∂λᵢ = vᵢᵀ dS vᵢ, ∂σᵢ = uᵢᵀ dX vᵢ: ∂eig(S) = (𝟏ᵀ ⊗ I) diag(vec I)(Vᵀ ⊗ Vᵀ) ∂S, S = VΛVᵀ;
    ∂svd(X) = (𝟏ᵀ ⊗ I) diag(vec I)(Vᵀ ⊗ Uᵀ) ∂X, X = UΣVᵀ.

    Magnus & Neudecker (3rd ed.) §8.7–8.9: dλ = diag(Vᵀ dS V), dσ = diag(Uᵀ dX V), for
    simple eigenvalues and distinct nonzero singular values.
    """
    F = node.arg
    if node.kind == "eig":
        Q = Transpose(Factor("Q", F))
        return mul(_diagonal_selection(node.shape[0]), kron(Q, Q), d(F))
    U, W = Factor("U", F), Factor("W", F)
    return mul(_diagonal_selection(node.shape[0]), kron(Transpose(W), Transpose(U)), d(F))


@rule(Extreme, "extremum rule")
def _extreme(node, d):
    """∂max(v) = eᵀ∂v, e the unit vector at the maximum; of eig(S), vecᵀ(vvᵀ)∂S; of svd(X),
    vecᵀ(u₁v₁ᵀ)∂X (the spectral norm's gradient); min alike.

    A unique extremum is differentiable, with the derivative of the element it picks
    (Magnus & Neudecker §8.7 for the eigenvalue, Golub & Van Loan §2.3 for σ₁).
    """
    v, which = node.arg, node.kind
    if isinstance(v, Spectrum) and v.kind == "eig":
        q = Factor("q" + which, v.arg)
        return mul(_vecT(mul(q, Transpose(q))), d(v.arg))
    if isinstance(v, Spectrum):
        u, w = Factor("u" + which, v.arg), Factor("w" + which, v.arg)
        return mul(_vecT(mul(u, Transpose(w))), d(v.arg))
    return mul(Transpose(Factor("e" + which, v)), d(v))


@rule(Chol, "Cholesky rule")
def _cholesky(node, d):
    """∂vec L = (I ⊗ L) diag(vec Φ)(L⁻¹ ⊗ L⁻¹) ½(I + K) ∂S for S = LLᵀ: dL = LΦ(L⁻¹dS L⁻ᵀ).

    Murray, *Differentiation of the Cholesky decomposition* (2016), eq. 8; Φ keeps the lower
    triangle and half the diagonal. ½(I + K) takes dS's symmetric part: chol reads (S + Sᵀ)/2.
    """
    n = node.shape[0]
    L, L_inv = node, Inverse(node)
    half = mul(number(Fraction(1, 2)), add(Identity(n * n), Commutation(n, n)))
    return mul(kron(Identity(n), L), DiagMatrix(Vec(HalfLower(n))), kron(L_inv, L_inv), half,
               d(node.arg))


@rule(Adj, "adjugate rule")
def _adjugate(node, d):
    """∂adj F = |F|(vec(F⁻¹) vecᵀ(F⁻ᵀ) − F⁻ᵀ ⊗ F⁻¹) ∂F, from adj F = |F|F⁻¹ (Magnus & Neudecker §8.6)"""
    F = node.arg
    inv = Inverse(F)
    return mul(Det(F), add(mul(Vec(inv), _vecT(_inv_t(F))),
                           mul(number(-1), kron(_inv_t(F), inv))), d(F))


@rule(Pinv, "pseudo-inverse rule")
def _pseudo_inverse(node, d):
    """∂F⁺ = −(F⁺ᵀ ⊗ F⁺)∂F + ((I − FF⁺) ⊗ F⁺F⁺ᵀ + F⁺ᵀF⁺ ⊗ (I − F⁺F))K ∂F, F m×n of constant rank.

    dF⁺ = −F⁺dF F⁺ + F⁺F⁺ᵀdFᵀ(I − FF⁺) + (I − F⁺F)dFᵀF⁺ᵀF⁺ (Magnus & Neudecker ch. 8,
    Theorem 5; Golub & Pereyra 1973); for full column rank the last term is 0, for full row rank
    the middle one.
    """
    F, P = node.arg, node
    m, n = F.shape
    Pt = Transpose(P)
    left = add(Identity(m), mul(number(-1), F, P))
    right = add(Identity(n), mul(number(-1), P, F))
    transposed = mul(add(kron(left, mul(P, Pt)), kron(mul(Pt, P), right)), Commutation(m, n))
    return mul(add(mul(number(-1), kron(Pt, P)), transposed), d(F))


@rule(Softmax, "softmax rule")
def _softmax(node, d):
    """∂softmax(x) = (diag(s) − ssᵀ) ∂x, s = softmax(x) (Bishop, PRML §4.3.4)"""
    return mul(add(DiagMatrix(node), neg(mul(node, Transpose(node)))), d(node.arg))


@rule(LogSumExp, "logsumexp rule")
def _logsumexp(node, d):
    """∂logsumexp(x) = softmax(x)ᵀ ∂x"""
    return mul(Transpose(Softmax(node.arg)), d(node.arg))


for _leaf in (Ones, Duplication):
    RULES[_leaf] = Rule("constant rule", _leaf, _constant)


def table() -> list[tuple[str, str]]:
    """The rule table as (name, formula) rows, each formula the first line of its rule's docstring."""
    rows, seen = [], set()
    for r in RULES.values():
        if r.jacobian not in seen:
            seen.add(r.jacobian)
            rows.append((r.name, r.jacobian.__doc__.strip().splitlines()[0]))
    return rows


# ── the engine ──

class Differentiator:
    """Applies the rule table bottom-up, once per distinct node, remembering each step.

    `steps` lists (node, rule name, raw Jacobian) in the order the rules fired, so a
    derivation can be shown one rule at a time.
    """

    def __init__(self, wrt: Var):
        self.wrt = wrt
        self.memo: dict[Expr, Expr] = {}
        self.dependence: dict[Expr, bool] = {}
        self.steps: list[tuple[Expr, str, Expr]] = []

    def depends(self, e: Expr) -> bool:
        known = self.dependence.get(e)
        if known is None:
            known = e is self.wrt or any(self.depends(c) for c in e.children)
            self.dependence[e] = known
        return known

    def __call__(self, e: Expr) -> Expr:
        result = self.memo.get(e)
        if result is None:
            if self.depends(e):
                r = RULES.get(type(e))
                if r is None:  # V, v, F of a decomposition: they appear in answers only
                    from ..errors import MatcalcError
                    from ..render.text import UnicodePrinter
                    raise MatcalcError(f"matcalc has no rule for the derivative of "
                                       f"{UnicodePrinter().print(e)}, a factor of a decomposition "
                                       "in the first derivative, so no second derivative here")
                result = r.jacobian(e, self)
                self.steps.append((e, r.name, result))
            else:
                result = _constant(e, self)
            self.memo[e] = result
        return result


def jacobian(e: Expr, wrt: Var) -> tuple[Expr, list]:
    """The raw Jacobian ∂vec e / ∂(vec wrt)ᵀ and the steps that built it."""
    d = Differentiator(wrt)
    return d(e), d.steps
