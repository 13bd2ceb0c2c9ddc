"""matcalc in a notebook, run by a real Jupyter kernel: what a reader of the notebook sees."""
from __future__ import annotations

import re

import pytest
from external import ROOT, in_ci


def _jupyter():
    """nbformat and nbclient (the test extras); missing, the test is skipped, but not in CI."""
    try:
        import ipykernel  # noqa: F401  the kernel nbclient starts
        import nbclient
        import nbformat
    except ImportError as err:
        if in_ci():
            pytest.fail(f"{err.name} is not installed; pip install '.[test]'", pytrace=False)
        pytest.skip(f"{err.name} is not installed")
    return nbformat, nbclient

CELLS = [
    'from matcalc import derive, parse, MatcalcError\nd = derive("logdet(X)", "X", order=2)\nd',
    'derive("tr(X^T A X)", "X").derivation',
    'print(derive("tr(X^T A X)", "X").gradient)',
    'derive("lgdet(X)", "X")',
    'derive(123, "X")',
    'isinstance(MatcalcError("x"), ValueError), str(parse("inv(A)^T"))',
]


def outputs(cell) -> dict:
    """The cell's outputs by kind: the rich representations, the stream text, the error."""
    seen: dict = {}
    for out in cell.outputs:
        if out.output_type in ("execute_result", "display_data"):
            seen.update(out.data)
        elif out.output_type == "stream":
            seen[out.name] = seen.get(out.name, "") + out.text
        elif out.output_type == "error":
            seen["error"] = out
    return seen


@pytest.mark.slow
def test_a_notebook_shows_questions_answers_steps_and_short_errors(monkeypatch):
    nbformat, nbclient = _jupyter()
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     allow_errors=True, resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    hessian, steps, gradient, typo, wrong_type, kinds = (outputs(c) for c in notebook.cells)

    latex = hessian["text/latex"]
    assert latex.startswith("$$\\frac{\\partial^{2} \\ln\\lvert X\\rvert}")
    assert latex.endswith(" = -K (X^{-\\top} \\otimes X^{-1})$$")
    assert "∂²ln|X|/∂vec X ∂(vec X)ᵀ = −K(X⁻ᵀ ⊗ X⁻¹)" in hessian["text/plain"]

    assert steps["text/latex"].startswith("$$\\begin{aligned}\n  &\\frac{\\partial")
    assert "\\text{(trace rule)}" in steps["text/latex"]
    assert steps["text/plain"] == "<Derivation ∂tr(XᵀAX)/∂X = vecᵀ((A + Aᵀ)X) in 6 steps>"

    assert gradient["stdout"] == "(A + Aᵀ)X\n"

    error = typo["error"]
    assert error.ename == "ParseError"
    assert error.evalue.startswith("unknown function 'lgdet' (did you mean logdet?)")
    frames = [line for line in error.traceback if re.search(r"(Cell In|File )", line)]
    assert len(frames) <= 2, error.traceback  # the cell and the entry point, not the parser
    assert not any("parser.py" in line for line in error.traceback)

    assert wrong_type["error"].ename == "TypeError"
    assert wrong_type["error"].evalue.startswith("the expression must be a string")
    assert kinds["text/plain"] == "(True, 'A⁻ᵀ')"
