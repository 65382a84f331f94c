"""Shared fixtures: the acrl binary (ACRL_BIN, else build/acrl of this source tree) and the
package itself (PYTHONPATH=python, or the tree's python/ directory)."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))


@pytest.fixture(scope="session")
def acrl_bin():
    path = os.environ.get("ACRL_BIN", os.path.join(ROOT, "build", "acrl"))
    if not os.path.exists(path):
        pytest.fail(f"acrl binary not found at {path} (run make, or set ACRL_BIN)")
    return path
