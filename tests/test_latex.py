"""LaTeX that compiles: every derivation below goes through a real pdflatex as a --document."""
from __future__ import annotations

import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from external import matcalc_env, require

from matcalc import derive
from matcalc.cli import main
from matcalc.calculus.dims import ONE, Dim
from matcalc.calculus.expr import (Add, Commutation, Det, Expr, Func, Identity, Inverse, Kron, LogDet, Mul,
                          Num, Power, ScalarPow, Trace, Transpose, Var, Vec, Zero)
from matcalc.render import render
from matcalc.render.latex import LatexPrinter, latex_dim, latex_name

# (id, matcalc derive arguments): the article's results, products, rectangular shapes,
# compositions, scalar functions, and names and sizes that LaTeX spells its own way.
DERIVATIONS = [
    ("inverse", ["inv(A)", "A"]),
    ("determinant", ["det(A)", "A"]),
    ("log-determinant", ["logdet(A)", "A"]),
    ("question-form", ["d ln|A| / dA"]),
    ("trace-of-product", ["tr(A^T B)", "B"]),
    ("inner-product", ["<A,B>", "A"]),
    ("product-rule", ["A X B", "X"]),
    ("gram-matrix", ["X^T X", "X", "--shape", "X=m,n"]),
    ("logdet-gram", ["d logdet(X^T X) / dX", "--shape", "X=m,n"]),
    ("logdet-gram-gradient", ["d logdet(X^T X) / dX", "--shape", "X=m,n", "--layout", "gradient"]),
    ("commutation", ["X^T", "X", "--shape", "X=m,n"]),
    ("kronecker", ["kron(X, Y)", "X", "--shape", "X=m,n", "--shape", "Y=2,3"]),
    ("nested-kronecker", ["(A ⊗ B) ⊗ C", "A"]),
    ("vec", ["vec(X)", "X", "--shape", "X=m,n"]),
    ("matrix-power", ["A^3", "A"]),
    ("inverse-power", ["tr(inv(X))", "X"]),
    ("sqrt-norm", ["sqrt(a^T a)", "a"]),
    ("exp-bilinear", ["exp(a^T X b)", "X"]),
    ("log-quadratic", ["log(x^T x)", "x"]),
    ("scalar-power", ["(a^T a)^3", "a"]),
    ("reciprocal", ["1/(a^T a)", "a"]),
    ("fractional-power", ["(a^T a)^(-1/2)", "a"]),
    ("sqrt-det", ["sqrt(det(X))", "X"]),
    ("det-squared", ["det(X)^2 / 3", "X"]),
    ("greek-with-digit", ["Sigma1^-1", "Sigma1"]),
    ("greek-unicode", ["α^T X β", "X"]),
    ("greek-capitals", ["Lambda Omega^T", "Omega"]),
    ("index-names", ["x_i^T A x_i", "x_i"]),
    ("long-names", ["tr(Weights^T Xdata)", "Weights"]),
    ("scalar-variable", ["t X + t^2 Y", "t", "--shape", "t=1,1"]),
    ("inverse-gram", ["inv(X^T X)", "X", "--shape", "X=rows,cols"]),
    ("sum-with-minus", ["A X - X B - (X + C)", "X"]),
    ("zero", ["A", "X"]),
    ("composition", ["log(det(A X B)) + exp(tr(X)) / 2", "X"]),
    ("quadratic-form-gradient", ["tr(X^T A X)", "X", "--layout", "gradient"]),
    ("symmetric-jacobian", ["logdet(X)", "X", "--symmetric", "X"]),
    ("symmetric-gradient", ["logdet(X)", "X", "--symmetric", "X", "--layout", "gradient"]),
    ("logistic-loss", ["sum(log(1 + exp(-y .* (X w))))", "w", "--shape", "X=m,n", "--shape", "y=m"]),
    ("norm", ["norm(A x - b)", "x"]),
    ("diag-of-a-vector", ["diag(x)", "x"]),
    ("diagonal-of-a-matrix", ["a^T diag(X)", "X", "--layout", "gradient"]),
    ("elementwise-power", ["sum(X.^(1/2))", "X", "--layout", "gradient"]),
    ("symmetric", ["logdet(X)", "X", "--symmetric", "X"]),
    ("matrix-exponential", ["expm(X)", "X"]),
    ("matrix-logarithm", ["tr(A logm(X))", "X", "--layout", "gradient"]),
    ("matrix-square-root", ["sqrtm(X)", "X"]),
    ("cholesky", ["chol(S)", "S"]),
    ("eigenvalues", ["eig(S)", "S", "--symmetric", "S"]),
    ("spectral-norm", ["max(svd(X))", "X", "--shape", "X=m,n"]),
    ("nuclear-norm", ["sum(svd(X))", "X", "--layout", "gradient"]),
    ("adjugate-pseudo-inverse", ["tr(adj(A) pinv(X))", "X"]),
    ("softmax-cross-entropy", ["-y' log(softmax(x))", "x", "--order", "2"]),
    ("trace-of-identity", ["exp(t * tr(inv(X) X))", "t", "--shape", "t=1,1"]),
    ("logsumexp-and-sigmoid", ["logsumexp(A x) + sum(softplus(x)) + sum(sigmoid(x))", "x"]),
]

PROBLEM = re.compile(r"^!|Undefined control sequence|Missing character|Warning:")


def compile_document(tex: Path) -> list[str]:
    """Run pdflatex on tex in its folder; the errors and warnings of its log."""
    run = subprocess.run([require("pdflatex"), "-interaction=nonstopmode", "-halt-on-error",
                          "-no-shell-escape", tex.name], cwd=tex.parent, capture_output=True,
                         timeout=120)
    log = tex.with_suffix(".log").read_text(encoding="latin-1")
    problems = [line for line in log.splitlines() if PROBLEM.search(line)]
    if run.returncode != 0 and not problems:
        problems.append(f"pdflatex exited with status {run.returncode}")
    if not tex.with_suffix(".pdf").exists():
        problems.append("no PDF was written")
    return problems


def document(args: list[str]) -> str:
    result = CliRunner().invoke(main, ["derive", *args, "--document"])
    assert result.exit_code == 0, result.output
    return result.stdout  # a note, such as --symmetric's, goes to stderr


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, tuple[str, list[str]]]:
    """Every derivation as a document, compiled two at a time: id → (document, problems)."""
    require("pdflatex")
    folder = tmp_path_factory.mktemp("latex")
    texts = {name: document(args) for name, args in DERIVATIONS}
    texts["broken-on-purpose"] = texts["inverse"].replace(r"\[", r"\[ \notacommand ")

    def build(name: str) -> tuple[str, list[str]]:
        tex = folder / name / "question.tex"
        tex.parent.mkdir()
        tex.write_text(texts[name], encoding="utf-8")
        return name, compile_document(tex)

    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = dict(pool.map(build, texts))
    return {name: (texts[name], problems[name]) for name in texts}


def test_a_symmetric_question_says_so_in_its_document(compiled):
    jacobian, _ = compiled["symmetric-jacobian"]
    gradient, _ = compiled["symmetric-gradient"]
    assert r"\operatorname{vech} X" in jacobian and "is symmetric" in jacobian
    assert "is symmetric" in gradient and r"G + G^{\top} - G \circ I" in gradient


@pytest.mark.parametrize("name", [name for name, _ in DERIVATIONS])
def test_document_compiles(compiled, name):
    text, problems = compiled[name]
    assert not problems, f"{name}:\n{text}\n" + "\n".join(problems)


def test_the_log_check_catches_an_undefined_command(compiled):
    _, problems = compiled["broken-on-purpose"]
    assert any("Undefined control sequence" in p for p in problems)


def test_the_derivations_use_every_node_the_printer_knows():
    """A node type without a compiled example here is a node type whose LaTeX is untested."""
    seen = set()
    for _, args in DERIVATIONS:
        positional, options = _split(args)
        shapes = dict(_shape(v) for flag, v in options if flag == "--shape")
        symmetric = tuple(v for flag, v in options if flag == "--symmetric")
        d = derive(positional[0], positional[1] if len(positional) > 1 else None, shapes,
                   symmetric=symmetric)
        answer = d.gradient if ("--layout", "gradient") in options else d.jacobian
        seen |= _node_types(d.expr) | _node_types(answer)
    printable = {name[len("_print_"):] for name in dir(LatexPrinter) if name.startswith("_print_")}
    steps_only = {"Partial"}  # ∂F/∂X appears only in --steps, whose LaTeX test_steps.py compiles
    assert printable - seen - steps_only == set()


def _split(args: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Command-line arguments as positional ones and (option, value) pairs."""
    positional, options, i = [], [], 0
    while i < len(args):
        if args[i].startswith("--"):
            options.append((args[i], args[i + 1]))
            i += 2
        else:
            positional.append(args[i])
            i += 1
    return positional, options


def _shape(value: str) -> tuple[str, tuple[str, ...]]:
    name, _, sizes = value.partition("=")
    return name, tuple(sizes.split(","))


def _node_types(e) -> set[str]:
    found, stack = set(), [e]
    while stack:
        node = stack.pop()
        found.add(type(node).__name__)
        stack.extend(node.children)
    return found


def test_the_article_question_reads_as_a_jacobian():
    text = document(["inv(A)", "A"])
    assert text.startswith("\\documentclass{article}\n")
    for package in ("amsmath", "amssymb"):
        assert f"\\usepackage{{{package}}}" in text
    assert r"\frac{\partial A^{-1}}{\partial A}" in text  # the article's ∂F/∂X, said to be
    assert (r"the Jacobian $\partial \operatorname{vec} F/\partial (\operatorname{vec} A)^{\top}$"
            in text)  # ∂vec F/∂(vec X)ᵀ in the sentence that follows
    assert r"= -(A^{-\top} \otimes A^{-1})" in text
    assert text.rstrip().endswith("\\end{document}")


@pytest.mark.parametrize("args, question", [
    (["det(A)", "A"], r"\frac{\partial \lvert A\rvert}{\partial A}"),
    (["a^T X b", "X"], r"\frac{\partial (a^{\top} X b)}{\partial X}"),
    (["a^T X b", "X", "--layout", "gradient"], r"\nabla_{X} (a^{\top} X b)"),
    (["A x", "x"], r"\frac{\partial (A x)}{\partial x}"),
    (["t A", "t", "--shape", "t=1,1"], r"\frac{\partial (t A)}{\partial t}"),
    (["A X B", "X"], r"\frac{\partial (A X B)}{\partial X}"),
])
def test_the_question_is_written_as_asked(args, question):
    assert question in document(args)


def test_the_document_says_where_the_names_live():
    text = document(["x^T X y", "X", "--shape", "X=m,n", "--shape", "x=m"])
    assert (r"where $x \in \mathbb{R}^{m}$, $X \in \mathbb{R}^{m \times n}$ and "
            r"$y \in \mathbb{R}^{n}$; the derivative $\partial f/\partial X$ stands for the "
            r"Jacobian $\partial f/\partial (\operatorname{vec} X)^{\top}$; "
            r"$\operatorname{vec}$ stacks the columns of a matrix.") in text


def test_names_that_share_a_space_share_a_list():
    text = document(["A X B + x y^T", "X"])
    assert (r"where $A, X, B \in \mathbb{R}^{n \times n}$ and $x, y \in \mathbb{R}^{n}$; "
            r"the derivative $\partial F/\partial X$ stands for the Jacobian "
            r"$\partial \operatorname{vec} F/\partial (\operatorname{vec} X)^{\top}$; "
            r"$\operatorname{vec}$ stacks the columns of a matrix.") in text


def test_document_refuses_another_format():
    result = CliRunner().invoke(main, ["derive", "inv(A)", "A", "--document", "--format", "numpy"])
    assert result.exit_code == 2
    assert "--document writes LaTeX" in result.output


def test_the_readme_recipe_works(tmp_path):
    """matcalc derive "inv(A)" A --document > d.tex && pdflatex d.tex"""
    pdflatex = require("pdflatex")
    with open(tmp_path / "d.tex", "w") as out:
        subprocess.run([sys.executable, "-m", "matcalc", "derive", "inv(A)", "A", "--document"],
                       stdout=out, check=True, env=matcalc_env())
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "d.tex"], cwd=tmp_path,
                         capture_output=True, timeout=120)
    assert run.returncode == 0, run.stdout.decode(errors="replace")[-2000:]
    assert (tmp_path / "d.pdf").stat().st_size > 0


# ── the formula alone ──

@pytest.mark.parametrize("args, latex", [
    (["X^T", "X", "--shape", "X=m,n"], "K_{mn}"),
    (["Sigma1^-1", "Sigma1"], r"-(\Sigma_{1}^{-\top} \otimes \Sigma_{1}^{-1})"),
    (["α^T X β", "X"], r"\operatorname{vec}^{\top}(\alpha \beta^{\top})"),
    (["sqrt(a^T a)", "a"], r"\frac{1}{\sqrt{a^{\top} a}} a^{\top}"),
    (["1/(a^T a)", "a"], r"-\frac{2}{(a^{\top} a)^{2}} a^{\top}"),
    (["(a^T a)^(-1/2)", "a"], r"-\frac{1}{(a^{\top} a)^{3/2}} a^{\top}"),
    (["exp(a^T X b)", "X"],
     r"\exp(a^{\top} X b) \operatorname{vec}^{\top}(a b^{\top})"),
    (["A X - X B", "X"], r"I \otimes A - B^{\top} \otimes I"),
    (["tr(inv(X))", "X"], r"-\operatorname{vec}^{\top}((X^{-2})^{\top})"),
    (["logdet(X^T X)", "X", "--shape", "X=m,n"],
     r"2 \operatorname{vec}^{\top}\bigl(X (X^{\top} X)^{-1}\bigr)"),
    (["X/2", "X"], r"\frac{1}{2} I"),
])
def test_latex_format_prints_the_bare_formula(args, latex):
    result = CliRunner().invoke(main, ["derive", *args, "--format", "latex"])
    assert result.exit_code == 0
    assert result.output == latex + "\n"


@pytest.mark.parametrize("name, latex", [
    ("A", "A"), ("X12", "X_{12}"), ("alpha", r"\alpha"), ("Sigma", r"\Sigma"),
    ("lamda", r"\lambda"), ("Lambda2", r"\Lambda_{2}"), ("Eta", "H"), ("ω", r"\omega"),
    ("Σ", r"\Sigma"), ("ς", r"\varsigma"), ("x_i", "x_{i}"), ("x_ij", "x_{ij}"),
    ("Xdata", r"\mathit{Xdata}"), ("αx", r"\mathit{{\alpha}x}"),
])
def test_names(name, latex):
    assert latex_name(name) == latex
    assert render(Var(name, Dim(2), Dim(2)), "latex") == latex


@pytest.mark.parametrize("m, n, latex", [
    ("m", "n", "K_{mn}"), (2, 3, "K_{23}"), (12, 3, "K_{12,3}"),
    ("rows", "n", r"K_{\mathit{rows},n}"), (Dim(1, ("n", "n")), "m", "K_{n^{2},m}"),
    (Dim(2, ("n",)), "m", "K_{2n,m}"),
])
def test_commutation_subscripts(m, n, latex):
    assert render(Commutation(Dim.of(m), Dim.of(n)), "latex") == latex


def test_sizes():
    assert latex_dim(Dim(1, ("m", "rows"))) == r"m \cdot \mathit{rows}"


# ── every node inside every other: random trees the simplifier would never leave ──

NAMES = ["A", "X2", "Sigma", "lambda1", "Ω", "β", "x_i", "Xdata", "αb", "Eta"]
EXPONENTS = [Fraction(2), Fraction(3), Fraction(-1), Fraction(1, 2), Fraction(-1, 2),
             Fraction(3, 2)]


class RandomTrees:
    """Shape-correct trees of every node type: n×n matrices, n²×n² ones, and scalars."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.n = Dim.of("n")

    def pick(self, *makers):
        return self.random.choice(makers)()

    def matrix(self, depth: int) -> Expr:
        r, n = self.random, self.n
        if depth <= 0:
            return self.pick(lambda: Var(r.choice(NAMES), n, n), lambda: Identity(n),
                             lambda: Zero(n, n))
        d = depth - 1
        return self.pick(
            lambda: Add((self.matrix(d), self.matrix(d))),
            lambda: Add((self.matrix(d), Mul((Num(Fraction(-1)), self.matrix(d))))),
            lambda: Mul((self.scalar(d), self.matrix(d))),
            lambda: Mul((Num(Fraction(r.choice([-3, 1, 2]), r.choice([1, 2, 5]))),
                         self.matrix(d), self.matrix(d))),
            lambda: Mul((ScalarPow(self.scalar(d), r.choice(EXPONENTS[2:])), self.matrix(d))),
            lambda: Transpose(self.matrix(d)),
            lambda: Inverse(self.matrix(d)),
            lambda: Transpose(Inverse(self.matrix(d))),
            lambda: Power(self.matrix(d), r.choice([2, 3, -2])),
        )

    def big(self, depth: int) -> Expr:
        """n²×n²: Kronecker products and commutation matrices."""
        d = depth - 1
        return self.pick(lambda: Kron(self.matrix(d), self.matrix(d)),
                         lambda: Commutation(self.n, self.n),
                         lambda: Mul((Commutation(self.n, self.n),
                                      Kron(self.matrix(d), self.matrix(d)))),
                         lambda: Transpose(Kron(self.matrix(d), Inverse(self.matrix(d)))))

    def scalar(self, depth: int) -> Expr:
        r = self.random
        if depth <= 0:
            return self.pick(lambda: Num(Fraction(r.choice([-2, 1, 3]), r.choice([1, 4]))),
                             lambda: Var(r.choice(["t", "tau", "σ2"]), ONE, ONE))
        d = depth - 1
        return self.pick(
            lambda: Det(self.matrix(d)),
            lambda: LogDet(self.matrix(d)),
            lambda: Trace(self.matrix(d)),
            lambda: Trace(self.big(d)),
            lambda: Mul((Transpose(Vec(self.matrix(d))), self.big(d), Vec(self.matrix(d)))),
            lambda: Func(r.choice(["log", "exp", "sqrt"]), self.scalar(d)),
            lambda: ScalarPow(self.scalar(d), r.choice(EXPONENTS)),
            lambda: Add((self.scalar(d), Mul((Num(Fraction(-2)), self.scalar(d))))),
            lambda: Mul((self.scalar(d), ScalarPow(self.scalar(d), Fraction(-1)))),
        )


TREES_DOCUMENT = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
                  "\\begin{document}\n%(body)s\n\\end{document}\n")


def test_random_trees_of_every_node_compile(tmp_path):
    """300 formulas in one document: whatever nests in whatever, the LaTeX is valid."""
    require("pdflatex")
    trees = RandomTrees(seed=20240601)
    formulas = []
    for i in range(300):
        depth = 1 + i % 4
        tree = trees.pick(lambda: trees.matrix(depth), lambda: trees.scalar(depth),
                          lambda: trees.big(depth))
        formulas.append(render(tree, "latex"))
    body = "\n".join(f"\\[ {f} \\]" for f in formulas)
    tex = tmp_path / "trees.tex"
    tex.write_text(TREES_DOCUMENT.replace("%(body)s", body), encoding="utf-8")
    problems = compile_document(tex)
    assert not problems, "\n".join(problems)

