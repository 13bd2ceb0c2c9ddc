"""Names for the factors of decompositions (V, Λ, U, L, F, …) and the "where" clause that
says what each stands for: an answer reads (V⁻ᵀ ⊗ V) diag(vec F)(Vᵀ ⊗ V⁻¹), where X = VΛV⁻¹ …

A printer gives a factor its letter the first time it prints it; a second decomposition that
would reuse a letter (the V of eig(S) beside the V of svd(X)) gets a numbered one, V₂.
"""
from __future__ import annotations

from ..calculus.expr import Chol, DivDiff, Expr, Factor, HalfLower

# the decomposition a factor belongs to, as (family, letters it uses)
_FAMILIES = {"V": ("eig", "VΛ"), "Q": ("eigh", "VΛ"), "U": ("svd", "UΣV"), "W": ("svd", "UΣV"),
             "qmax": ("qmax", "v"), "qmin": ("qmin", "v"), "umax": ("svmax", "uv"),
             "wmax": ("svmax", "uv"), "umin": ("svmin", "uv"), "wmin": ("svmin", "uv"),
             "emax": ("emax", "e"), "emin": ("emin", "e")}

LETTERS = {
    "unicode": {"V": "V", "Q": "V", "U": "U", "W": "V", "qmax": "v", "qmin": "v", "umax": "u₁",
                "wmax": "v₁", "umin": "uᵣ", "wmin": "vᵣ", "emax": "e", "emin": "e", "chol": "L",
                "F": "F", "Φ": "Φ"},
    "ascii": {"V": "V", "Q": "V", "U": "U", "W": "V", "qmax": "v", "qmin": "v", "umax": "u1",
              "wmax": "v1", "umin": "ur", "wmin": "vr", "emax": "e", "emin": "e", "chol": "L",
              "F": "F", "Φ": "Phi"},
    "latex": {"V": "V", "Q": "V", "U": "U", "W": "V", "qmax": "v", "qmin": "v", "umax": "u_{1}",
              "wmax": "v_{1}", "umin": "u_{r}", "wmin": "v_{r}", "emax": "e", "emin": "e",
              "chol": "L", "F": "F", "Φ": "\\Phi"},
}

_F = {
    "unicode": {"expm": "(e^λᵢ − e^λⱼ)/(λᵢ − λⱼ), or e^λᵢ when λᵢ = λⱼ",
                "logm": "(ln λᵢ − ln λⱼ)/(λᵢ − λⱼ), or 1/λᵢ when λᵢ = λⱼ",
                "sqrtm": "1/(√λᵢ + √λⱼ)"},
    "ascii": {"expm": "(exp(l_i) - exp(l_j))/(l_i - l_j), or exp(l_i) when l_i = l_j",
              "logm": "(ln(l_i) - ln(l_j))/(l_i - l_j), or 1/l_i when l_i = l_j",
              "sqrtm": "1/(sqrt(l_i) + sqrt(l_j))"},
    "latex": {"expm": r"\frac{e^{\lambda_i} - e^{\lambda_j}}{\lambda_i - \lambda_j},"
                      r"\ \text{or } e^{\lambda_i} \text{ when } \lambda_i = \lambda_j",
              "logm": r"\frac{\ln \lambda_i - \ln \lambda_j}{\lambda_i - \lambda_j},"
                      r"\ \text{or } \lambda_i^{-1} \text{ when } \lambda_i = \lambda_j",
              "sqrtm": r"\frac{1}{\sqrt{\lambda_i} + \sqrt{\lambda_j}}"},
}

TEMPLATES = {
    "unicode": {
        "eig": "{A} = V{s}Λ{s}V{s}⁻¹",
        "F": "F{s}ᵢⱼ = {f}, λ = diag(Λ{s})",
        "eigh": "{A} = V{s}Λ{s}V{s}ᵀ, V{s}ᵀV{s} = I, λ₁ ≤ ⋯ ≤ λₙ",
        "svd": "{A} = U{s}Σ{s}V{s}ᵀ (thin), σ₁ ≥ σ₂ ≥ ⋯",
        "qmax": "v{s} is the unit eigenvector of {A}'s largest eigenvalue",
        "qmin": "v{s} is the unit eigenvector of {A}'s smallest eigenvalue",
        "svmax": "u₁{s}, v₁{s} are the singular vectors of {A}'s largest singular value",
        "svmin": "uᵣ{s}, vᵣ{s} are the singular vectors of {A}'s smallest singular value",
        "emax": "e{s} is the unit vector at the index of {A}'s largest element",
        "emin": "e{s} is the unit vector at the index of {A}'s smallest element",
        "chol": "{A} = L{s}L{s}ᵀ, L{s} lower triangular (Cholesky)",
        "Φ": "Φ is the lower triangle of ones with ½ on the diagonal",
        "where": ", where ", "and": "; ",
    },
    "ascii": {
        "eig": "{A} = V{s} Lambda{s} V{s}^-1",
        "F": "F{s}_ij = {f}, l = diag(Lambda{s})",
        "eigh": "{A} = V{s} Lambda{s} V{s}^T, V{s}^T V{s} = I, l_1 <= ... <= l_n",
        "svd": "{A} = U{s} Sigma{s} V{s}^T (thin), s_1 >= s_2 >= ...",
        "qmax": "v{s} is the unit eigenvector of {A}'s largest eigenvalue",
        "qmin": "v{s} is the unit eigenvector of {A}'s smallest eigenvalue",
        "svmax": "u1{s}, v1{s} are the singular vectors of {A}'s largest singular value",
        "svmin": "ur{s}, vr{s} are the singular vectors of {A}'s smallest singular value",
        "emax": "e{s} is the unit vector at the index of {A}'s largest element",
        "emin": "e{s} is the unit vector at the index of {A}'s smallest element",
        "chol": "{A} = L{s} L{s}^T, L{s} lower triangular (Cholesky)",
        "Φ": "Phi is the lower triangle of ones with 1/2 on the diagonal",
        "where": ", where ", "and": "; ",
    },
    "latex": {
        "eig": r"{A} = V{s} \Lambda{s} V{s}^{{-1}}",
        "F": r"F{s}_{{ij}} = {f},\ \lambda = \operatorname{{diag}}(\Lambda{s})",
        "eigh": r"{A} = V{s} \Lambda{s} V{s}^{{\top}},\ V{s}^{{\top}} V{s} = I,\ "
                r"\lambda_1 \le \dots \le \lambda_n",
        "svd": r"{A} = U{s} \Sigma{s} V{s}^{{\top}} \text{{ (thin)}},\ \sigma_1 \ge \sigma_2 \ge \dots",
        "qmax": r"v{s} \text{{ is the unit eigenvector of ${A}$'s largest eigenvalue}}",
        "qmin": r"v{s} \text{{ is the unit eigenvector of ${A}$'s smallest eigenvalue}}",
        "svmax": r"u_{{1}}{s}, v_{{1}}{s} \text{{ are the singular vectors of ${A}$'s largest singular value}}",
        "svmin": r"u_{{r}}{s}, v_{{r}}{s} \text{{ are the singular vectors of ${A}$'s smallest singular value}}",
        "emax": r"e{s} \text{{ is the unit vector at the index of ${A}$'s largest element}}",
        "emin": r"e{s} \text{{ is the unit vector at the index of ${A}$'s smallest element}}",
        "chol": r"{A} = L{s} L{s}^{{\top}} \text{{, $L{s}$ lower triangular (Cholesky)}}",
        "Φ": r"\Phi \text{{ is the lower triangle of ones with $\tfrac12$ on the diagonal}}",
        "where": r", \quad \text{where } ", "and": r";\ ",
    },
}

_SUFFIX = {"unicode": lambda k: str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")),
           "ascii": lambda k: f"_{k}", "latex": lambda k: f"_{{{k}}}"}


def family(e: Expr) -> tuple[tuple, str, str]:
    """(the decomposition e belongs to, the letters it uses, e's own letter key)."""
    if isinstance(e, Factor):
        fam, letters = _FAMILIES[e.kind]
        return (fam, e.arg), letters, e.kind
    if isinstance(e, DivDiff):
        return ("F", e.name, e.arg), "F", "F"
    if isinstance(e, Chol):
        return ("chol", e.arg), "L", "chol"
    if isinstance(e, HalfLower):
        return ("Φ", e.n), "Φ", "Φ"
    raise TypeError(type(e).__name__)


class Naming:
    """The letters a printer has given out, and the where clause they need."""

    def __init__(self, style: str):
        self.style = style
        self.suffixes: dict[tuple, str] = {}
        self.entries: list[str] = []

    def name(self, e: Expr, print_arg) -> str:
        key, letters, own = family(e)
        suffix = self.suffixes.get(key)
        if suffix is None:
            clashes = sum(1 for other in self.suffixes if set(_letters(other)) & set(letters))
            suffix = self.suffixes[key] = _SUFFIX[self.style](clashes + 1) if clashes else ""
            self.entries.append(self._entry(key, e, suffix, print_arg))
        return LETTERS[self.style][own] + suffix

    def _entry(self, key: tuple, e: Expr, suffix: str, print_arg) -> str:
        templates = TEMPLATES[self.style]
        arg = "" if isinstance(e, HalfLower) else print_arg(e.arg)
        f = _F[self.style][e.name] if isinstance(e, DivDiff) else ""
        return templates[key[0]].format(A=arg, s=suffix, f=f)

    def clause(self) -> str:
        if not self.entries:
            return ""
        templates = TEMPLATES[self.style]
        return templates["where"] + templates["and"].join(self.entries)


def _letters(key: tuple) -> str:
    fam = key[0]
    return {"eig": "VΛ", "eigh": "VΛ", "svd": "UΣV", "qmax": "v", "qmin": "v", "svmax": "uv",
            "svmin": "uv", "emax": "e", "emin": "e", "F": "F", "chol": "L", "Φ": "Φ"}[fam]
