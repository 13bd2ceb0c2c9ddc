"""The article's results, exactly as the article writes them."""
import pytest

from matcalc import derive

ARTICLE = [
    ("inv(A)", "A", "−(A⁻ᵀ ⊗ A⁻¹)", r"-(A^{-\top} \otimes A^{-1})"),
    ("det(A)", "A", "|A| vecᵀ(A⁻ᵀ)", r"\lvert A\rvert \operatorname{vec}^{\top}(A^{-\top})"),
    ("logdet(A)", "A", "vecᵀ(A⁻ᵀ)", r"\operatorname{vec}^{\top}(A^{-\top})"),
    ("d ln|A| / dA", None, "vecᵀ(A⁻ᵀ)", r"\operatorname{vec}^{\top}(A^{-\top})"),
    ("tr(A^T B)", "B", "vecᵀ(A)", r"\operatorname{vec}^{\top}(A)"),
    ("tr(A^T B)", "A", "vecᵀ(B)", r"\operatorname{vec}^{\top}(B)"),
    ("<A,B>", "B", "vecᵀ(A)", r"\operatorname{vec}^{\top}(A)"),
]


@pytest.mark.parametrize("expr, wrt, unicode, latex", ARTICLE)
def test_article_results(expr, wrt, unicode, latex):
    d = derive(expr, wrt)
    assert d.unicode == unicode
    assert d.latex == latex
