"""Shared test setup: the cache of solved problems goes to a temporary folder, never the user's ~/.cache."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import settings

# CI runs the suite once on a fresh clone: the same examples every time there (derandomize), random ones for
# developers, who find new failures and keep them as @example regressions.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
