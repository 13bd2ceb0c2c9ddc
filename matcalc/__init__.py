"""matcalc: matrix derivatives in the notation of matrix differential calculus."""
from .api import Derivative, derive
from .errors import MatcalcError
from .parser import parse

__all__ = ["derive", "parse", "Derivative", "MatcalcError"]
__version__ = "0.1.0"
