"""Typeset as a paper prints it: a gallery of documents compiled by a real pdflatex whose log has
no error and no line wider than the page; brackets that never glue \\left to an operator name;
the Hessian's own left side; --steps --document; identities that carry their sizes; and a
terminal that breaks long answers at their operators, never inside a token."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from external import matcalc_env, require
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from test_latex import RandomTrees

from matcalc import cli, derive
from matcalc.cli import main
from matcalc.render import render
from matcalc.render.document import equation_latex
from matcalc.render.lines import break_points, hanging

LONG = "tr(A1 X A2 X A3 X A4 X) + logdet(X^T B X) + sum(exp(X))"
MN = ["--shape", "X=m,n"]

# (id, matcalc derive arguments): each becomes a --document.
GALLERY = [
    # long answers
    ("long-sum", [LONG, "X"]),
    ("twelve-traces", [" + ".join(f"tr(A{i} X)" for i in range(1, 13)), "X"]),
    ("product-of-five", ["A1 X A2 X A3 X A4 X A5", "X"]),
    ("inverse-sandwich", ["inv(X^T A X) X^T B X", "X"]),
    ("kronecker-product", ["kron(A, X) * kron(X, B)", "X"]),
    ("trace-of-inverse", ["tr(inv(A + X^T B X))", "X"]),
    ("three-terms", ["logdet(A + X^T B X) + tr(X^T C X D) + a^T X b", "X"]),
    ("long-chain", ["X^T A X B X C", "X"]),
    ("inverses", ["inv(X) A inv(X) B inv(X)", "X"]),
    ("determinant-of-a-chain", ["det(A X B X C)", "X"]),
    ("norms", ["sqrt(a^T X^T X a) + norm(X b - c)", "X"]),
    ("exp-times-log", ["exp(tr(X^T A X)) * log(det(X))", "X"]),
    # Hessians
    ("hessian-logdet", ["logdet(X)", "X", "--order", "2"]),
    ("hessian-quadratic-trace", ["tr(X^T A X)", "X", "--order", "2"]),
    ("hessian-exp-bilinear", ["exp(a^T X b)", "X", "--order", "2"]),
    ("hessian-two-sided", ["tr(X A X B)", "X", "--order", "2"]),
    ("hessian-quadratic-form", ["x^T A x", "x", "--order", "2"]),
    ("hessian-log-quadratic", ["log(x^T A x)", "x", "--order", "2"]),
    ("hessian-trace-inverse", ["tr(inv(X))", "X", "--order", "2"]),
    ("hessian-determinant", ["det(X)", "X", "--order", "2"]),
    ("hessian-least-squares", ["norm(A x - b)^2", "x", "--order", "2"]),
    ("hessian-long", ["logdet(X^T B X) + tr(A1 X A2 X)", "X", "--order", "2"]),
    # element-wise
    ("sine-times-cosine", ["sin(X) .* cos(X)", "X"]),
    ("logistic-loss", ["sum(log(1 + exp(-y .* (X w))))", "w", "--shape", "X=m,n",
                       "--shape", "y=m"]),
    ("hadamard", ["exp(X) .* Y", "X"]),
    ("diagonal-sandwich", ["diag(x) A diag(x)", "x"]),
    ("root-sum", ["sum(X.^(1/2))", "X", "--layout", "gradient"]),
    ("diagonal-gradient", ["a^T diag(X)", "X", "--layout", "gradient"]),
    ("mixed-element-wise", ["norm(x .* a)^2 + sum(exp(X) .* Y) + a^T diag(X)", "X"]),
    ("tanh-layer", ["sum(tanh(W x) .* y)", "W", "--shape", "W=m,n", "--shape", "y=m"]),
    # symmetric
    ("symmetric-logdet", ["logdet(X)", "X", "--symmetric", "X"]),
    ("symmetric-logdet-gradient", ["logdet(X)", "X", "--symmetric", "X", "--layout", "gradient"]),
    ("symmetric-two-sided", ["tr(A X B X)", "X", "--symmetric", "X"]),
    ("symmetric-inverse-form", ["a^T inv(X) a", "X", "--symmetric", "X"]),
    ("symmetric-inverse", ["inv(X)", "X", "--symmetric", "X"]),
    # steps
    ("steps-element-wise", ["sin(X) .* cos(X)", "X", "--steps"]),
    ("steps-determinant", ["det(A X B)", "X", "--steps"]),
    ("steps-inverse-gram", ["inv(X^T X)", "X", "--steps", *MN]),
    ("steps-long", [LONG, "X", "--steps"]),
    ("steps-composition", ["log(det(A X B)) + exp(tr(X)) / 2", "X", "--steps"]),
    ("steps-kronecker", ["kron(A, X)", "X", "--steps"]),
    ("steps-quadratic-form", ["x^T A x", "x", "--steps"]),
    # identities and commutation matrices of several sizes
    ("sized-kronecker", ["kron(A, X)", "X"]),
    ("sized-gram", ["X^T X", "X", *MN]),
    ("sized-rectangular-kronecker", ["kron(X, Y)", "X", *MN, "--shape", "Y=2,3"]),
    ("sized-mixed-product", ["kron(A,B) * kron(C,D)", "A", "--shape", "A=m,m", "--shape", "B=n,n",
                             "--shape", "C=m,m", "--shape", "D=n,n"]),
    # gradients
    ("gradient-quadratic-trace", ["tr(X^T A X)", "X", "--layout", "gradient"]),
    ("gradient-logdet-gram", ["d logdet(X^T X) / dX", *MN, "--layout", "gradient"]),
]

PROBLEM = re.compile(r"^!|Undefined control sequence|Overfull \\hbox|Missing character")
LEFT_AFTER_OPERATOR = re.compile(
    r"(\\operatorname\{[A-Za-z]+\}|\\(ln|log|exp|sin|cos|tan|tanh|det|tr|sqrt))"
    r"(\^\{[^{}]*\})?\s*\\left")
BODY = re.compile(r"\\begin\{document\}\n(.*)\\end\{document\}", re.S)


def derive_text(args: list[str]) -> str:
    result = CliRunner().invoke(main, ["derive", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def document(args: list[str]) -> str:
    return derive_text([*args, "--document"])


def compile_tex(tex: Path) -> str:
    """pdflatex's log of tex, compiled in its folder."""
    subprocess.run([require("pdflatex"), "-interaction=nonstopmode", "-no-shell-escape",
                    tex.name], cwd=tex.parent, capture_output=True, timeout=120)
    return tex.with_suffix(".log").read_text(encoding="latin-1")


def problems_by_line(log: str) -> list[tuple[int, str]]:
    """(line of the source, message) for each error, undefined command or overfull box."""
    found = []
    lines = log.splitlines()
    for k, line in enumerate(lines):
        if PROBLEM.search(line):
            where = re.search(r"lines? (\d+)", line) or next(
                (m for m in (re.match(r"l\.(\d+)", later) for later in lines[k:k + 12]) if m), None)
            found.append((int(where.group(1)) if where else 0, line))
    return found


@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> dict:
    """Every gallery document, and the problems pdflatex found in each: all of them are
    compiled as the pages of one document (one pdflatex run), then told apart by line."""
    require("pdflatex")
    texts = {name: document(args) for name, args in GALLERY}
    preambles = {text[:text.index("\\begin{document}")] for text in texts.values()}
    preamble = max(preambles, key=len)  # --steps adds \allowdisplaybreaks to the others'
    assert all(set(p.splitlines()) <= set(preamble.splitlines()) for p in preambles)
    source, spans = preamble + "\\begin{document}\n", {}
    for name, text in texts.items():
        start = source.count("\n") + 1
        source += f"% {name}\n" + BODY.search(text).group(1) + "\\clearpage\n"
        spans[name] = (start, source.count("\n"))
    source += "\\end{document}\n"
    tex = tmp_path_factory.mktemp("gallery") / "gallery.tex"
    tex.write_text(source, encoding="utf-8")
    log = compile_tex(tex)
    problems = {name: [] for name in texts}
    for line, message in problems_by_line(log):
        owner = next((n for n, (a, b) in spans.items() if a <= line <= b), None)
        problems.setdefault(owner or "the whole gallery", []).append(message)
    return {"texts": texts, "problems": problems, "pdf": tex.with_suffix(".pdf")}


def test_the_gallery_holds_forty_answers_of_every_kind():
    kinds = {name.split("-")[0] for name, _ in GALLERY}
    assert len(GALLERY) >= 40
    assert {"long", "hessian", "steps", "symmetric", "sized", "gradient"} <= kinds


def test_the_gallery_compiles_without_errors_or_overfull_lines(gallery):
    assert gallery["pdf"].stat().st_size > 0
    found = {name: p for name, p in gallery["problems"].items() if p}
    assert not found, "\n".join(f"{name}: {p}" for name, p in found.items())


@pytest.mark.parametrize("name", [name for name, _ in GALLERY])
def test_no_left_bracket_is_glued_to_an_operator_name(gallery, name):
    text = gallery["texts"][name]
    assert not LEFT_AFTER_OPERATOR.search(text), text
    assert "\\left" not in text and "\\right" not in text


def test_the_log_check_sees_a_line_too_wide_for_the_page(tmp_path):
    """An answer that cannot be broken runs off the page: the same check must notice it."""
    require("pdflatex")
    wide = document(["X^T X", "X"]).replace(
        "\\[", "\\[\n" + " ".join(["X^{\\top} A X"] * 30) + " =", 1)
    tex = tmp_path / "wide.tex"
    tex.write_text(wide, encoding="utf-8")
    assert any("Overfull \\hbox" in message for _, message in problems_by_line(compile_tex(tex)))
    assert LEFT_AFTER_OPERATOR.search(r"\operatorname{vec}^{\top}\left(X\right)")


def test_a_long_answer_is_broken_at_its_top_level_sums(gallery):
    text = gallery["texts"]["long-sum"]
    assert "\\begin{split}" in text
    rows = text[text.index("\\begin{split}"):text.index("\\end{split}")].split("\\\\\n")
    assert len(rows) >= 3
    assert all(row.strip().startswith(r"&\qquad {}+ ") for row in rows[2:])


def test_a_short_answer_stays_on_one_line(gallery):
    text = gallery["texts"]["hessian-logdet"]
    assert "split" not in text and "\\[\n" in text


# ── the Hessian, --steps --document, one notation ──

def test_the_hessian_document_states_the_second_derivative():
    text = document(["logdet(X)", "X", "--order", "2"])
    assert (r"\frac{\partial^{2} \ln\lvert X\rvert}{\partial \operatorname{vec} X \, "
            r"\partial (\operatorname{vec} X)^{\top}}" in text)
    assert r"= -K (X^{-\top} \otimes X^{-1})" in text
    assert r"\frac{\partial \ln" not in text  # not the first derivative's left side
    vector = document(["x^T A x", "x", "--order", "2"])
    assert r"\frac{\partial^{2} (x^{\top} A x)}{\partial x \, \partial x^{\top}}" in vector


def test_the_terminal_states_the_hessian_the_same_way():
    assert derive("logdet(X)", "X", order=2).label == "∂²ln|X|/∂vec X ∂(vec X)ᵀ"
    assert derive("x^T A x", "x", order=2).label == "∂²(xᵀAx)/∂x ∂xᵀ"


def test_steps_document_is_a_whole_document(gallery):
    text = gallery["texts"]["steps-element-wise"]
    assert text.startswith("\\documentclass{article}\n") and text.rstrip().endswith(
        "\\end{document}")
    assert "\\begin{align*}" in text and "\\allowdisplaybreaks" in text
    assert r"&\qquad \text{(Hadamard product rule)}" in text
    assert text.count("&\\quad {}= ") == len(derive("sin(X) .* cos(X)", "X").derivation.steps)
    assert not gallery["problems"]["steps-element-wise"]


def test_steps_documents_and_the_terminal_write_the_derivative_alike():
    """∂F/∂X in the document's question, in every step, and in the terminal's label."""
    d = derive("A X B", "X")
    assert d.label == "∂(AXB)/∂X"
    assert r"\frac{\partial (A X B)}{\partial X}" in document(["A X B", "X"])
    assert r"&\frac{\partial (A X B)}{\partial X}" in document(["A X B", "X", "--steps"])
    assert derive_text(["A X B", "X", "--steps"]).startswith("∂(AXB)/∂X\n")


def test_no_sentence_begins_with_a_symbol(gallery):
    for name, text in gallery["texts"].items():
        prose = re.sub(r"\\\[.*?\\\]|\\begin\{align\*\}.*?\\end\{align\*\}", " ",
                       BODY.search(text).group(1), flags=re.S)
        for sentence in re.split(r"(?<=[.:])\s+", prose.strip()):
            assert sentence[:1].isalpha(), (name, sentence)


def test_steps_never_add_a_negative_term():
    for args in (["sin(X) .* cos(X)", "X"], ["A X - X B - (X + C)", "X"]):
        for fmt in ("unicode", "ascii", "latex"):
            text = derive_text([*args, "--steps", "--format", fmt])
            assert "+ −" not in text and "+ -" not in text, text


# ── identities and commutation matrices of several sizes ──

@pytest.mark.parametrize("args, unicode, ascii_text, latex", [
    (["kron(A, X)", "X"], "(Iₙ ⊗ K ⊗ Iₙ)(vec(A) ⊗ Iₙₙ)", "(I_n (x) K (x) I_n)(vec(A) (x) I_nn)",
     r"(I_{n} \otimes K \otimes I_{n}) (\operatorname{vec}(A) \otimes I_{n^{2}})"),
    (["X^T X", "X", *MN], "(Iₙₙ + K)(Iₙ ⊗ Xᵀ)", "(I_nn + K)(I_n (x) X^T)",
     r"(I_{n^{2}} + K) (I_{n} \otimes X^{\top})"),
    (["kron(X, Y)", "X", *MN, "--shape", "Y=2,3"], "(Iₙ ⊗ K₃ₘ ⊗ I₂)(Iₘₙ ⊗ vec(Y))",
     "(I_n (x) K_3m (x) I_2)(I_mn (x) vec(Y))",
     r"(I_{n} \otimes K_{3m} \otimes I_{2}) (I_{mn} \otimes \operatorname{vec}(Y))"),
    (["inv(A)", "A"], "−(A⁻ᵀ ⊗ A⁻¹)", "-(A^-T (x) A^-1)", r"-(A^{-\top} \otimes A^{-1})"),
    (["A X", "X"], "I ⊗ A", "I (x) A", r"I \otimes A"),  # one size: a bare I
])
def test_identities_of_several_sizes_carry_them_in_every_format(args, unicode, ascii_text, latex):
    assert derive_text(args).strip() == unicode
    assert derive_text([*args, "--format", "ascii"]).strip() == ascii_text
    assert derive_text([*args, "--format", "latex"]).strip() == latex
    assert latex in document(args)


def test_square_commutation_matrices_of_two_sizes_carry_them():
    from matcalc.calculus.dims import Dim
    from matcalc.calculus.expr import Commutation, Kron
    e = Kron(Commutation(Dim.of("m"), Dim.of("m")), Commutation(Dim.of("n"), Dim.of("n")))
    assert render(e) == "Kₘ ⊗ Kₙ" and render(e, "latex") == r"K_{m} \otimes K_{n}"
    assert render(Commutation(Dim.of("n"), Dim.of("n"))) == "K"


@pytest.mark.parametrize("args", [["X^T X", "X", *MN], ["kron(A, X)", "X"],
                                  ["inv(X^T X)", "X", *MN]])
def test_the_sized_answer_reads_back_as_the_same_derivative(args):
    """The answer with Iₙₙ and Iₙ, given back to `matcalc check` (which reads I_nn for Iₙₙ),
    agrees at random points: the sizes written are the right ones."""
    answer = derive_text(args).strip()
    assert "Iₙ" in answer
    answer = answer.replace("Iₙₙ", "I_nn").replace("Iₙ", "I_n")
    shapes = args[2:]
    result = CliRunner().invoke(main, ["check", args[0], args[1], "--claim", answer, *shapes])
    assert result.exit_code == 0, result.output


# ── the terminal ──

TERMINAL = [LONG, " + ".join(f"tr(A{i} X)" for i in range(1, 13)), "A1 X A2 X A3 X A4 X A5",
            "logdet(A + X^T B X) + tr(X^T C X D) + a^T X b", "sin(X) .* cos(X)", "inv(X^T X)"]


def _console(width: int) -> Console:
    return Console(width=width, file=io.StringIO(), highlight=False, color_system=None)


def _check_lines(lines: list[str], text: str, width: int) -> None:
    """The lines are the text broken at spaces (so never inside a token), and each fits the
    width unless it holds no break point at all."""
    assert " ".join(line.strip() for line in lines) == text
    for line in lines:
        assert len(line) <= width or not break_points(line.strip()), line


@pytest.mark.parametrize("width", [40, 80])
@pytest.mark.parametrize("question", TERMINAL)
def test_the_terminal_breaks_answers_at_operators(width, question):
    d = derive(question, "X")
    console = _console(width)
    cli._show(d, d.unicode, "jacobian", console)
    lines = console.file.getvalue().splitlines()
    answer_start = next(k for k in range(len(lines)) if lines[k].endswith(" =")) + 1
    label, answer = lines[:answer_start], lines[answer_start:]
    _check_lines(label, f"{d.label} =", width)
    _check_lines(answer, d.unicode, width)
    assert all(line.startswith("    ") for line in answer[1:])  # a hanging indent
    if len(d.unicode) > width:
        assert len(answer) > 1


@pytest.mark.parametrize("width", [40, 80])
@pytest.mark.parametrize("question", TERMINAL)
def test_the_terminal_steps_keep_the_equals_column(width, question):
    derivation = derive(question, "X").derivation
    console = _console(width)
    cli._print_steps(derive(question, "X"), "unicode", "jacobian", console)
    lines = console.file.getvalue().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("    "))
    _check_lines(lines[:k], render(derivation.start), width)
    for step in derivation.steps:  # rule lines, then "  = …" and its continuation lines
        rule = []
        while not lines[k].startswith("  = "):
            rule.append(lines[k])
            k += 1
        assert " ".join(line.strip() for line in rule) == step.rule
        body = [lines[k][4:]]
        k += 1
        while k < len(lines) and lines[k].startswith("      "):
            body.append(lines[k][4:])
            k += 1
        _check_lines(body, render(step.expr), width - 4)
    assert k == len(lines)


# ── the README's picture ──

def test_the_readme_shows_a_picture_made_by_the_project_script(tmp_path):
    require("pdflatex"), require("pdftoppm")
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    assert "](docs/typeset-document.png)" in readme and "python docs/picture.py" in readme
    committed = root / "docs" / "typeset-document.png"
    assert committed.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert committed.stat().st_size < 100_000
    subprocess.run([sys.executable, str(root / "docs" / "picture.py"), str(tmp_path / "p.png")],
                   check=True, capture_output=True, env=matcalc_env())
    made = (tmp_path / "p.png").read_bytes()
    width, height = int.from_bytes(made[16:20], "big"), int.from_bytes(made[20:24], "big")
    assert 300 < width < 1000 and 100 < height < 600  # cropped to the ink, not a whole page


# ── --format latex: a fragment for the user's own environment ──

@pytest.mark.parametrize("args", [["sin(X) .* cos(X)", "X"], [LONG, "X"],
                                  ["inv(X^T X)", "X", *MN], ["det(A X B)", "X"]])
def test_steps_as_latex_keep_their_rule_names_on_the_page(tmp_path, args):
    """The aligned block of --steps --format latex, in a display of an article page: no line
    runs off it, the rule names least of all."""
    require("pdflatex")
    block = derive_text([*args, "--steps", "--format", "latex"])
    assert block.startswith("\\begin{aligned}") and "\\text{(" in block
    tex = tmp_path / "steps.tex"
    tex.write_text("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
                   f"\\[\n{block}\\]\n\\end{{document}}\n", encoding="utf-8")
    assert not problems_by_line(compile_tex(tex))


def test_latex_help_says_where_the_formula_goes():
    help_text = " ".join(CliRunner().invoke(main, ["derive", "--help"]).output.split())
    assert "multline, split or aligned" in help_text


# ── random formulas: broken anywhere, never inside a token ──

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(2, 5), width=st.integers(16, 120),
       fmt=st.sampled_from(["unicode", "ascii"]))
def test_random_formulas_break_only_between_tokens(seed, depth, width, fmt):
    trees = RandomTrees(seed)
    tree = trees.pick(lambda: trees.matrix(depth), lambda: trees.scalar(depth),
                      lambda: trees.big(depth))
    text = render(tree, fmt)
    lines = hanging(text, width, 4)
    _check_lines(lines, text, width)
    assert all(line.startswith("    ") for line in lines[1:])


def test_random_formulas_broken_into_lines_still_compile(tmp_path):
    """150 random formulas, each broken into lines about 120 pt wide in a split: the pieces
    between the breaks are valid LaTeX, whatever the break separates."""
    require("pdflatex")
    trees, displays = RandomTrees(seed=7), []
    for i in range(150):
        depth = 2 + i % 4
        tree = trees.pick(lambda: trees.matrix(depth), lambda: trees.scalar(depth),
                          lambda: trees.big(depth))
        displays.append(equation_latex("F", render(tree, "latex"), width=160))
    tex = tmp_path / "broken.tex"
    tex.write_text("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n"
                   "\\begin{document}\n" + "\n".join(displays) + "\n\\end{document}\n",
                   encoding="utf-8")
    assert sum("split" in d for d in displays) > 50
    problems = [m for _, m in problems_by_line(compile_tex(tex)) if "Overfull" not in m]
    assert not problems, problems
