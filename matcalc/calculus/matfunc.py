"""What matcalc knows of matrix functions and decompositions beyond their rules.

- f′(X) of each matrix function, which its Fréchet derivative reduces to in a direction that
  commutes with X: L_f(X)[M] = f′(X)M when MX = XM (Higham, *Functions of Matrices*, §3.2);
- the Fréchet derivative applied to a direction, in the eigenbasis X = VΛV⁻¹:
  L_f(X)[M] = V((V⁻¹MV) ∘ F)V⁻¹ with F the divided differences of f on the eigenvalues
  (Higham, Theorem 3.11; Magnus & Neudecker ch. 8);
- the conditions each answer needs, said on stderr, in documents and in the library, and the
  requirements verify's random points must meet.
"""
from __future__ import annotations

from fractions import Fraction

from .expr import (Adj, Add, Chol, DivDiff, Expr, Extreme, Factor, Frechet, Identity, Inverse,
                   MatFunc, Mul, Pinv, Power, Spectrum, Transpose, Var)


def derivative_at(name: str, X: Expr) -> Expr:
    """f′(X): e^X, X⁻¹, ½(X^½)⁻¹ — through the simplifier's constructors, so it is canonical."""
    from .simplify import inverse, mul, number
    if name == "expm":
        return MatFunc("expm", X)
    if name == "logm":
        return inverse(X)
    return mul(number(Fraction(1, 2)), inverse(MatFunc("sqrtm", X)))


def commutes(e: Expr, X: Expr, transposed: bool = False) -> bool:
    """e is a function of X (a polynomial, an inverse, a matrix function, scalars times these),
    so eX = Xe; with `transposed`, a function of Xᵀ, such as ((e^X)ᵀ + I)⁻¹."""
    if (e is X and not transposed) or isinstance(e, Identity) or e.is_scalar:
        return True
    if isinstance(e, Transpose):
        return commutes(e.arg, X, not transposed)
    if isinstance(e, (Inverse, Power, MatFunc, Adj)):
        return commutes(e.arg, X, transposed)
    if isinstance(e, (Add, Mul)):
        return all(commutes(c, X, transposed) for c in e.children)
    return False


def in_eigenbasis(name: str, X: Expr, M: Expr) -> Expr:
    """L_f(X)[M] = V((V⁻¹MV) ∘ F)V⁻¹, or f′(X)M when M commutes with X."""
    from .simplify import hadamard, inverse, mul
    if commutes(M, X):
        return mul(derivative_at(name, X), M)
    V = Factor("V", X)
    V_inv = inverse(V)
    return mul(V, hadamard(mul(V_inv, M, V), DivDiff(name, X)), V_inv)


def in_eigenbasis_transposed(name: str, X: Expr, G: Expr) -> Expr:
    """H with vecᵀ(G) ∂vec f(X)/∂(vec X)ᵀ = vecᵀ(H): H = L_f(Xᵀ)[G] = V⁻ᵀ((VᵀGV⁻ᵀ) ∘ F)Vᵀ,
    or Gf′(X)ᵀ when Gᵀ commutes with X."""
    from .simplify import hadamard, inverse, mul, transpose
    if commutes(G, X, transposed=True):
        return mul(G, transpose(derivative_at(name, X)))
    V = Factor("V", X)
    Vt, Vit = transpose(V), transpose(inverse(V))
    return mul(Vit, hadamard(mul(Vt, G, Vit), DivDiff(name, X)), Vt)


def expanded(e: Frechet) -> Expr:
    """The Jacobian as printed: (V⁻ᵀ ⊗ V) diag(vec F)(Vᵀ ⊗ V⁻¹), or for X^½ the Sylvester form
    (I ⊗ X^½ + (X^½)ᵀ ⊗ I)⁻¹ (from X^½ dX^½ + dX^½ X^½ = dX)."""
    from .expr import DiagMatrix, Kron, Vec
    X = e.arg
    if e.name == "sqrtm":
        S, I = MatFunc("sqrtm", X), Identity(X.shape[0])
        return Inverse(Add((Kron(I, S), Kron(Transpose(S), I))))
    V = Factor("V", X)
    return Mul((Kron(Transpose(Inverse(V)), V), DiagMatrix(Vec(DivDiff(e.name, X))),
                Kron(Transpose(V), Inverse(V))))


# ── conditions ──────────────────────────────────────────────────────────────────────────

def _walk(e: Expr, seen: set) -> list[Expr]:
    out, stack = [], [e]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def conditions(question: Expr, answer: Expr | None = None, fmt: str = "unicode") -> list[str]:
    """What the answer assumes of the question's matrices, one phrase each, in order;
    fmt "latex" writes the matrices as $…$ for a document."""
    kinds = (MatFunc, Factor, DivDiff, Spectrum, Extreme, Chol, Adj, Pinv)
    seen: set = set()
    nodes = [node for node in _walk(question, seen) + (_walk(answer, seen) if answer else [])
             if isinstance(node, kinds)]
    if not nodes:  # the common case: nothing to say, and no printer to import
        return []

    def render(e: Expr) -> str:
        if fmt == "latex":
            from ..render.latex import LatexPrinter
            return f"${LatexPrinter().print(e)}$"
        from ..render.text import UnicodePrinter
        return UnicodePrinter().print(e)
    found: dict[str, None] = {}
    for node in nodes:
        a = render(node.arg) if not isinstance(node, (Factor, DivDiff)) else None
        if isinstance(node, MatFunc) and node.name != "expm":
            what = "logarithm" if node.name == "logm" else "square root"
            found[f"{a} has no eigenvalue on the closed negative real axis (the principal "
                  f"{what})"] = None
        elif isinstance(node, (Factor, DivDiff)) and getattr(node, "kind", "V") == "V":
            arg = render(node.arg)
            decomposition = f"${arg[1:-1]} = V \\Lambda V^{{-1}}$" if fmt == "latex" else \
                f"{arg} = VΛV⁻¹"
            found[f"{arg} is diagonalisable ({decomposition})"] = None
        elif isinstance(node, Spectrum):
            found[f"{a} is symmetric with distinct eigenvalues" if node.kind == "eig" else
                  f"the singular values of {a} are distinct and nonzero"] = None
        elif isinstance(node, Extreme) and not isinstance(node.arg, Spectrum):
            found[f"the {'largest' if node.kind == 'max' else 'smallest'} element of {a} "
                  "is unique"] = None
        elif isinstance(node, Chol):
            found[f"{a} is symmetric positive definite"] = None
        elif isinstance(node, Adj):
            found[f"{a} is invertible"] = None
        elif isinstance(node, Pinv):
            found[f"{a} has full column rank or full row rank"] = None
    return list(found)


def requirements(*exprs: Expr) -> dict[str, str]:
    """Variables that random points must make "symmetric" or "spd" for these expressions."""
    needs: dict[str, str] = {}
    seen: set = set()
    for e in exprs:
        for node in _walk(e, seen):
            arg = getattr(node, "arg", None)
            if not isinstance(arg, Var) or arg.shape[0] != arg.shape[1]:
                continue
            if isinstance(node, Chol) or (isinstance(node, (MatFunc, Frechet, DivDiff)) and
                                          node.name != "expm"):
                needs[arg.name] = "spd"
            elif isinstance(node, Spectrum) and node.kind == "eig" or \
                    isinstance(node, Factor) and node.kind in ("Q", "qmax", "qmin"):
                needs.setdefault(arg.name, "symmetric")
    return needs


__all__ = ["derivative_at", "commutes", "in_eigenbasis", "in_eigenbasis_transposed", "expanded",
           "conditions", "requirements"]
