"""Deterministic demo landing data: every table of the landing contract, coherent with each other.

``python -m salesperf.generate --help`` for the command line; ``generate(out_dir, ...)`` from Python.
Same seed, scale, format and dates give byte-identical files.
"""

from salesperf.generate.config import DEFAULT_AS_OF, DEFAULT_SEED, DEFAULT_START, SCALES
from salesperf.generate.pipeline import generate

__all__ = ["DEFAULT_AS_OF", "DEFAULT_SEED", "DEFAULT_START", "SCALES", "generate"]
