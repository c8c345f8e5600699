"""Comptoir's benchmark in parts, by concept; scripts/bench.py runs them."""

import sys
from pathlib import Path

# bench.py runs as a script, so only scripts/ is on sys.path: put the project root there
# before any module of this package imports the project (adapters, application, domain...).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
