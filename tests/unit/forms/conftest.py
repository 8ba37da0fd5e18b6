"""Put the project root on sys.path for `.venv/bin/pytest` (the project is not installed)."""

from __future__ import annotations

import sys
from pathlib import Path

# Redundant once pyproject sets `pythonpath = ["."]` under [tool.pytest.ini_options].
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
