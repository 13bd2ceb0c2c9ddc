"""The article's results, exactly as the article writes them."""
import pytest

from matcalc import derive

ARTICLE = [
    ("inv(A)", "A", "−(A⁻ᵀ ⊗ A⁻¹)", r"-\left(A^{-\top} \otimes A^{-1}\right)"),
    ("det(A)", "A", "|A| vecᵀ(A⁻ᵀ)", r"\left|A\right| \operatorname{vec}^{\top}\left(A^{-\top}\right)"),
    ("logdet(A)", "A", "vecᵀ(A⁻ᵀ)", r"\operatorname{vec}^{\top}\left(A^{-\top}\right)"),
    ("d ln|A| / dA", None, "vecᵀ(A⁻ᵀ)", r"\operatorname{vec}^{\top}\left(A^{-\top}\right)"),
    ("tr(A^T B)", "B", "vecᵀ(A)", r"\operatorname{vec}^{\top}\left(A\right)"),
    ("tr(A^T B)", "A", "vecᵀ(B)", r"\operatorname{vec}^{\top}\left(B\right)"),
    ("<A,B>", "B", "vecᵀ(A)", r"\operatorname{vec}^{\top}\left(A\right)"),
]


@pytest.mark.parametrize("expr, wrt, unicode, latex", ARTICLE)
def test_article_results(expr, wrt, unicode, latex):
    d = derive(expr, wrt)
    assert d.unicode == unicode
    assert d.latex == latex
