"""mdrepro: the helper package behind the mdrepro reproducibility book.

Nothing happens on import: sub-modules are imported by the notebooks and the command line
as they are needed (``from mdrepro import analysis``).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
