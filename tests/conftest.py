"""Shared test setup: the cache of solved problems goes to a temporary folder, never the user's ~/.cache."""

from __future__ import annotations

import os
import tempfile

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_plan_cache():
    with tempfile.TemporaryDirectory(prefix="bpg-cache-") as folder:
        old = os.environ.get("BACKPROP_GRADER_CACHE")
        os.environ["BACKPROP_GRADER_CACHE"] = os.path.join(folder, "cache")
        yield
        if old is None:
            os.environ.pop("BACKPROP_GRADER_CACHE", None)
        else:
            os.environ["BACKPROP_GRADER_CACHE"] = old
