"""Both example sites, byte for byte: the hash of the two sites built from records/ (in a
repository of their own with a fixed Git history, as of 2017-05-31; see golden_site.py) is
the one pinned here.

A change that should not change what is published (a refactor, a speed-up) must keep the hash.
When the output changes ON PURPOSE, update PINNED deliberately, in the same commit as the change,
and say in the message what changed on the pages: run

    make site-hash          # or: .venv/bin/python tests/golden_site.py

to print the new hash (this test's failure message shows it too).
"""
from __future__ import annotations

import pytest

from generator.site.cms import DECAP_DIST
from golden_site import site_hash

PINNED = "cd03e4e647ae2feac63375fab5b92e6f20bc78670bca6e4363226724f896e351"


@pytest.mark.slow
@pytest.mark.skipif(not DECAP_DIST.is_dir(), reason="the internal site's /admin/ differs without tools/cms "
                                                   "(run `make test`, which installs it)")
def test_both_example_sites_are_the_pinned_bytes(tmp_path):
    found = site_hash(tmp_path)
    assert found == PINNED, (f"the built sites changed: their hash is now {found}. If that is on purpose, "
                             "set PINNED in tests/test_golden_site.py to it and say what changed.")
