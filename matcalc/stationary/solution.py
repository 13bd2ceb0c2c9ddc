"""A solved stationary-point question and the ways to read it: text, LaTeX, NumPy and Python
code, sympy, the steps, a LaTeX document, and a function of arrays."""
from __future__ import annotations

from ..calculus.expr import Add, Expr, Identity, Kron, Mul, Num, Ones, ScalarPow, Trace, Transpose, Var
from ..render import render
from ..render.latex import LatexPrinter
from ..calculus.simplify import add, inverse, kron, mul, transpose, vec
from .equation import Result
from .expand import holds

FORMATS = ("unicode", "ascii", "latex", "numpy", "python", "sympy")


def positive_semidefinite(e: Expr, assumed: set[str]) -> bool:
    """e is a Gram matrix MᵀM, I, a positive multiple, a sum or a Kronecker product of such;
    scalar names met as coefficients are added to `assumed` (shown as λ ≥ 0)."""
    if isinstance(e, Identity) or isinstance(e, Ones) and e.rows == e.cols:  # 𝟏 = 𝟏𝟏ᵀ
        return True
    if isinstance(e, Num):
        return e.value >= 0
    if isinstance(e, Var) and e.is_scalar:
        assumed.add(e.name)
        return True
    if isinstance(e, Add):
        return all(positive_semidefinite(t, assumed) for t in e.terms)
    if isinstance(e, Trace):  # the trace of a positive semi-definite matrix is ≥ 0
        return positive_semidefinite(e.arg, assumed)
    if isinstance(e, ScalarPow):  # an even power of a real number is ≥ 0
        return e.exponent.denominator == 1 and e.exponent.numerator % 2 == 0
    if isinstance(e, Kron):
        return positive_semidefinite(e.left, assumed) and positive_semidefinite(e.right, assumed)
    if isinstance(e, Transpose):
        return positive_semidefinite(e.arg, assumed)
    if isinstance(e, Mul):
        if not all(positive_semidefinite(s, assumed) for s in e.scalars):
            return False
        chain = list(e.matrices)
        while len(chain) > 1:  # M₁⋯MₖPMₖᵀ⋯M₁ᵀ
            if transpose(chain[0]) is not chain[-1]:
                return False
            chain = chain[1:-1]
        return not chain or positive_semidefinite(chain[0], assumed)
    return False


def folded(e: Expr, memo: dict | None = None) -> Expr:
    """e as a paper writes it: in a product F(Fᵀ written out as a sum), the second factor is
    shown as Fᵀ — (X − μuᵀ)(X − μuᵀ)ᵀ rather than (X − μuᵀ)(Xᵀ − uμᵀ). Display only: the
    value is the same."""
    from ..calculus.build import rebuild
    memo = {} if memo is None else memo
    done = memo.get(e)
    if done is not None:
        return done
    children = [folded(c, memo) for c in e.children]
    if isinstance(e, Mul):
        out = list(e.factors)
        for i in range(1, len(out)):
            before, this = out[i - 1], out[i]
            if isinstance(this, Add) and not before.is_scalar and transpose(before) is this:
                children[i] = Transpose(children[i - 1])
        done = Mul(tuple(children)) if any(a is not b for a, b in zip(children, e.children)) \
            else e
    else:
        done = rebuild(e, children)
    memo[e] = done
    return done


class Solution:
    """X* with G(X*) = 0 for the gradient G of a scalar f, and what is known of the point."""

    def __init__(self, question: Expr, wrt: Var, gradient: Expr, result: Result,
                 hessian: Expr | None, names: dict[str, Var], symmetric: bool = False):
        self.question, self.wrt, self.gradient, self.result = question, wrt, gradient, result
        self.hessian, self.names, self.symmetric = hessian, names, symmetric
        self.assumed: set[str] = set()
        constant = hessian is not None and not holds(hessian, wrt)
        self.minimum = constant and positive_semidefinite(hessian, self.assumed)
        if not self.minimum:
            self.assumed = set()
        self.maximum = constant and not self.minimum and \
            positive_semidefinite(mul(Num(-1), hessian), self.assumed)

    @property
    def kind(self) -> str:
        """"direct" (X = …), "vec" (vec X = …) or "sylvester" (AX + XB = C)."""
        return self.result.kind

    @property
    def value(self) -> Expr:
        """X* as a tree (for "vec", vec X*; for "sylvester", the vec form of its solution)."""
        if self.kind == "sylvester":
            return self._sylvester_vec()
        return self.result.rhs

    @property
    def others(self) -> dict[str, Var]:
        """The names X* is a function of."""
        return {n: v for n, v in self.names.items() if n != self.wrt.name}

    @property
    def free_sizes(self) -> list[str]:
        """Sizes of X that no other name has (X* = 0 is n×n): the code takes them as arguments."""
        known = {s for v in self.others.values() for d in v.shape for s in d.symbols}
        return [s for d in self.wrt.shape for s in d.symbols if s not in known]

    def verdict(self, fmt: str = "unicode") -> str:
        """"a minimum: the Hessian … is positive semi-definite", or "a stationary point"."""
        if not (self.minimum or self.maximum):
            return r"\text{a stationary point}" if fmt == "latex" else "a stationary point"
        kind, sign = ("minimum", "positive") if self.minimum else ("maximum", "negative")
        geq = {"ascii": " >= 0", "latex": r" \geq 0"}.get(fmt, " ≥ 0")
        where = ", ".join(render(self.names[n], fmt) + geq for n in sorted(self.assumed))
        if fmt == "latex":
            where = r"\text{ for }" + where if where else ""
            return (rf"\text{{a {kind}}}" + where + r"\text{: the Hessian }" +
                    render(self.hessian, fmt) + rf"\text{{ is {sign} semi-definite}}")
        return (f"a {kind}{' for ' + where if where else ''}: the Hessian "
                f"{render(self.hessian, fmt)} is {sign} semi-definite")

    def equation(self, fmt: str = "unicode") -> str:
        """The answer as an equation: X = …, vec X = … or AX + XB = C."""
        text = f"{render(self.result.lhs, fmt)} = {render(self.result.rhs, fmt)}"
        if self.kind == "sylvester":
            text += r"\quad\text{(a Sylvester equation)}" if fmt == "latex" \
                else "  (a Sylvester equation)"
        return text

    def render(self, fmt: str = "unicode") -> str:
        if fmt not in FORMATS:
            from ..errors import UsageError
            raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if fmt == "numpy":
            return self.numpy_code()
        if fmt == "python":
            return self.python_code()
        if fmt == "sympy":
            from ..render.sympy_export import sympy_code
            return sympy_code(self.value, self.others)
        verdict = self.verdict(fmt)
        if fmt == "latex":
            return f"{self.equation(fmt)}\n% {self.verdict('ascii')}"
        return f"{self.equation(fmt)}\n{verdict}"

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"<Solution {self.equation()}>"

    def numpy_code(self) -> str:
        """One expression in np (and scipy.linalg for a Sylvester equation) and the names."""
        code = lambda e: render(e, "numpy", self.others)  # noqa: E731
        if self.kind == "sylvester":
            left, right, constant = self.result.parts
            return f"scipy.linalg.solve_sylvester({code(left)}, {code(right)}, {code(constant)})"
        if self.kind == "vec":
            from ..render.numpy import NumpyPrinter
            printer = NumpyPrinter(self.others)
            rows, cols = (printer.dim(d) for d in self.wrt.shape)
            return f"{code(self.result.rhs)}.reshape(({rows}, {cols}), order='F')"
        return code(self.result.rhs)

    def python_code(self) -> str:
        """A module: the imports and a function of the other names that returns X*."""
        imports = "import numpy as np\n" + ("import scipy.linalg\n" if self.kind == "sylvester" else "")
        args = ", ".join([*self.others, *dict.fromkeys(self.free_sizes)])
        doc = f"{render(self.wrt)} with zero gradient of {render(self.question)}; {self.verdict()}."
        doc = doc.replace("\\", "\\\\").replace('"""', "'''")
        lines = []
        for name, var in self.others.items():  # 1-D vectors and plain numbers are welcome
            rows, cols = var.shape
            shape = "(1, 1)" if var.is_scalar else "(-1, 1)" if cols.is_one else \
                "(1, -1)" if rows.is_one else None
            lines.append(f"    {name} = np.asarray({name}, dtype=float)"
                         + (f".reshape{shape}" if shape else ""))
        lines.append(f"    return {self.numpy_code()}")
        body = "\n".join(lines)
        return (f"{imports}\n\ndef solve_{self.wrt.name}({args}):\n    \"\"\"{doc}\"\"\"\n"
                f"{body}\n")

    def steps(self, fmt: str = "unicode") -> str:
        """The working: the gradient, = 0, each step of isolating X named, the verdict."""
        g = self.result.steps[0]
        lines = []
        if fmt == "latex":
            lines.append(r"\begin{aligned}")
            lines.append(rf"&\nabla_{{{LatexPrinter().print(self.wrt)}}} = "
                         f"{render(g.lhs, 'latex')}\\\\")
            for step in self.result.steps:
                lines.append(rf"&\quad{step.reason('latex')}\\")
                lines.append(f"&{render(step.lhs, 'latex')} = {render(step.rhs, 'latex')}\\\\")
            lines.append(rf"&\quad{self.verdict('latex')}")
            lines.append(r"\end{aligned}")
            return "\n".join(lines)
        x, f = render(self.wrt, fmt), render(self.question, fmt)
        lines.append(f"gradient of {f} by {x}:")
        lines.append(f"  {render(g.lhs, fmt)}")
        for step in self.result.steps:
            lines.append(f"    {step.reason(fmt)}")
            lines.append(f"  {render(step.lhs, fmt)} = {render(step.rhs, fmt)}")
        lines.append(self.verdict(fmt))
        return "\n".join(lines)

    def document(self) -> str:
        """A whole LaTeX document: the function, its gradient set to zero, the solution."""
        from ..render.document import where_latex
        f = render(self.question, "latex")
        x = LatexPrinter().print(self.wrt)
        body = (f"The stationary points of $f = {f}$ over ${x}$"
                + (" (symmetric)" if self.symmetric else "") + ".\n"
                f"\\[\n{self.steps('latex')}\n\\]\n"
                f"\\[\n  {self.equation('latex')}\n\\]\n"
                f"\\[\n  {self.verdict('latex')}\n\\]\n"
                f"Here {where_latex(self.names)}.\n")
        return ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
                "\\pagestyle{empty}\n\\begin{document}\n" + body + "\\end{document}\n")

    def to_numpy(self):
        """A function of the other names (keyword arguments bound to arrays) returning X*."""
        import numpy as np

        from ..checking.numeric import evaluate, sizes_from
        from ..checking.numpy_function import _array

        def solution(**values) -> np.ndarray:
            arrays = {n: _array(v, values[n]) for n, v in self.others.items()}
            sizes = sizes_from(arrays, self.others)
            sizes.update({n: int(values[n]) for n in self.free_sizes})
            if self.kind == "sylvester":
                import scipy.linalg
                left, right, constant = (evaluate(e, arrays, sizes) for e in self.result.parts)
                return scipy.linalg.solve_sylvester(left, right, constant)
            out = evaluate(self.result.rhs, arrays, sizes)
            if self.kind == "vec":
                from ..checking.numeric import dim_value
                shape = tuple(dim_value(d, sizes) for d in self.wrt.shape)
                return out.reshape(shape, order="F")
            return out
        solution.__name__ = f"solve_{self.wrt.name}"
        return solution

    def _sylvester_vec(self) -> Expr:
        """vec X = (I ⊗ A + Bᵀ ⊗ I)⁻¹ vec C for AX + XB = C."""
        left, right, constant = self.result.parts
        m, n = self.wrt.shape
        M = add(kron(Identity(n), left), kron(transpose(right), Identity(m)))
        return mul(inverse(M), vec(constant))
