"""The reference server every differential test compares with.

``MINIVALKEY_REFERENCE_URL`` (``redis://host:port``) names it; without it the
comparisons are skipped and only the harness's own tests run.
"""

from __future__ import annotations

import os

import pytest
from known_differences import Reference, identify
from replay import address

REFERENCE_URL = os.environ.get("MINIVALKEY_REFERENCE_URL", "")


@pytest.fixture(scope="module")
def reference() -> tuple[str, int, Reference]:
    if not REFERENCE_URL:
        pytest.skip("MINIVALKEY_REFERENCE_URL is not set: no reference server to compare with")
    host, port = address(REFERENCE_URL)
    return host, port, identify(host, port)
