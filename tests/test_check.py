"""matcalc check: Matrix Cookbook answers agree, planted mistakes do not."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from matcalc.checking.check import check
from matcalc.errors import MatcalcError

ROOT = Path(__file__).resolve().parents[1]
MN = {"X": ("m", "n")}

# (question, variable, claim, shapes): the Matrix Cookbook's gradients (equation numbers of
# the 2012 edition), and Jacobians in the article's notation
AGREE = [
    ("logdet(X)", "X", "inv(X)^T", None),                        # (57)
    ("det(X)", "X", "det(X) inv(X)^T", None),                    # (49)
    ("det(A X B)", "X", "det(A X B) inv(X)^T", None),            # (51), X square
    ("tr(A X)", "X", "A^T", None),                               # (100)
    ("tr(X^T A X)", "X", "(A + A^T) X", None),                   # (117)
    ("tr(inv(X) A)", "X", "-(inv(X) A inv(X))^T", None),         # (63)
    ("a^T X b", "X", "a b^T", None),                             # (69)
    ("a^T X^T b", "X", "b a^T", None),                           # (70)
    ("a^T inv(X) b", "X", "-inv(X)^T a b^T inv(X)^T", None),     # (61)
    ("x^T A x", "x", "(A + A^T) x", None),                       # (81)
    ("logdet(X^T X)", "X", "2 X inv(X^T X)", MN),                # (55)
    ("tr(X)", "X", "I", None),                                   # (99)
    ("tr(X^2)", "X", "2 X^T", None),
    # Jacobian layout, with vec, ⊗ and K
    ("A X B", "X", "B^T ⊗ A", None),
    ("inv(X)", "X", "-(inv(X)^T ⊗ inv(X))", None),
    ("logdet(X)", "X", "vec(inv(X)^T)^T", None),
    ("X^T X", "X", "(I + K)(I ⊗ X^T)", MN),
    ("X^T X", "X", "I ⊗ X^T + (X^T ⊗ I) K_mn", MN),
    ("X^T X", "X", "(I_nn + K_nn)(I_n ⊗ X^T)", MN),
    ("X^T", "X", "K", None),
    ("X", "X", "I", MN),
    # a scalar run together with a sized K, as answers print it: tKₘₙ is t Kₘₙ
    ("t * X^T ⊗ a", "X", "tKₘₙ ⊗ a", {"X": ("m", "n"), "t": (1, 1)}),
    ("t * X^T ⊗ a", "X", "t K_mn ⊗ a", {"X": ("m", "n"), "t": (1, 1)}),
    # Kₙ is K_nn, as answers print it beside Iₙₙ
    ("(X^T + X) * a ⊗ b^T", "X", "Kₘₙ(Iₙ ⊗ b)(aᵀ ⊗ Iₙ)(Iₙₙ + Kₙ)", {"b": ("m", 1)}),
    ("X^T X", "X", "(I_nn + K_n)(I_n ⊗ X^T)", MN),
    # 𝟏 alone takes the answer's shape, a rectangular one too
    ("sum(X)", "X", "𝟏", MN),
    ("sum(X)^2", "X", "2sum(X) 𝟏", MN),
    ("sum(---X)", "X", "−vecᵀ(𝟏)", MN),                         # 𝟏 of X's shape, in vec
    # ‖·‖ as answers print a norm
    ("norm(x - a)", "x", "(x − a)/‖x − a‖", None),
    ("norm(X)^2", "X", "2X", MN),
]

DISAGREE = [
    ("logdet(X)", "X", "inv(X)", None),                          # a missing transpose
    ("det(X)", "X", "det(X) inv(X)", None),
    ("tr(A X)", "X", "A", None),
    ("a^T inv(X) b", "X", "inv(X)^T a b^T inv(X)^T", None),      # a wrong sign
    ("x^T A x", "x", "-(A + A^T) x", None),
    ("x^T A x", "x", "2 A x", None),                             # A taken as symmetric
    ("A X B", "X", "B ⊗ A", None),
    ("X^T X", "X", "I ⊗ X^T + (X^T ⊗ I) K_nm", MN),              # K the wrong way round
    ("inv(X)", "X", "-(inv(X) ⊗ inv(X))", None),
    ("sum(X)", "X", "2vecᵀ(𝟏)", MN),
]


@pytest.mark.parametrize("text, wrt, claim, shapes", AGREE)
def test_right_answers_agree(text, wrt, claim, shapes):
    verdict = check(text, wrt, claim, shapes)
    assert verdict.agree, verdict.report()
    assert verdict.difference < 1e-8
    assert verdict.report().startswith("agree")


@pytest.mark.parametrize("text, wrt, claim, shapes", DISAGREE)
def test_planted_mistakes_disagree(text, wrt, claim, shapes):
    verdict = check(text, wrt, claim, shapes)
    assert not verdict.agree
    assert verdict.relative > 1e-3
    report = verdict.report()
    assert report.startswith("disagree") and "matcalc's answer" in report


def test_layout_and_answer_are_reported():
    gradient = check("logdet(X)", "X", "inv(X)")
    assert gradient.layout == "gradient"
    assert gradient.report().splitlines()[1] == "matcalc's answer (gradient layout): X⁻ᵀ"
    jacobian = check("A X B", "X", "B ⊗ A")
    assert jacobian.layout == "jacobian"
    assert jacobian.report().splitlines()[1] == "matcalc's answer (jacobian layout): Bᵀ ⊗ A"


@pytest.mark.parametrize("text, wrt, claim, shapes, message", [
    ("logdet(X)", "X", "inv(X", None, "expected ')'"),
    ("logdet(X)", "X", "inv(B)^T", None, "the claim uses the name B"),
    ("logdet(X)", "X", "vec(X)", None, "the claim is n²×1"),
    ("logdet(X)", "X", "", None, "give the claimed answer"),
    ("X^T X", "X", "I ⊗ X^T + (X^T ⊗ I) K", MN, "ambiguous"),
    ("X^T X", "X", "I_p ⊗ X^T", MN, "unknown size 'p'"),
    ("X^T X", "X", "K_mnn", MN, "K_mn with two one-letter sizes"),
    ("logdet(X)", "X", "d inv(X)^T / dX", None, "not d…/dX"),
])
def test_bad_claims_are_errors(text, wrt, claim, shapes, message):
    with pytest.raises(MatcalcError, match=re.escape(message)):
        check(text, wrt, claim, shapes)


def test_an_undefined_claim_disagrees():
    verdict = check("logdet(X)", "X", "inv(X - X)")
    assert not verdict.agree
    assert "not a finite number" in verdict.report()


def test_the_question_names_I_and_K_keep_them():
    shapes = {"I": ("n", "n")}  # with a --shape, I is the question's matrix named I
    assert check("tr(I X)", "X", "I^T", shapes).agree
    assert not check("tr(I X)", "X", "I", shapes).agree


def cli(*args):
    return subprocess.run([sys.executable, "-m", "matcalc", "check", *args],
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_cli_exit_status():
    agree = cli("logdet(X)", "X", "--claim", "inv(X)^T")
    assert agree.returncode == 0 and agree.stdout.startswith("agree")
    disagree = cli("logdet(X)", "X", "--claim", "inv(X)")
    assert disagree.returncode == 1
    assert "matcalc's answer (gradient layout): X⁻ᵀ" in disagree.stdout
    bad = cli("logdet(X)", "X", "--claim", "inv(X")
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")
    assert "Traceback" not in bad.stderr
    shaped = cli("X^T X", "X", "--shape", "X=m,n", "--claim", "(I + K)(I ⊗ X^T)")
    assert shaped.returncode == 0
