# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the unit tests of module_utils/_cloudfront (the fakes are in fakes.py)."""

from __future__ import annotations

import random

import pytest

from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import no_jitter


@pytest.fixture
def steady_random(monkeypatch):
    """``random.random`` always 0: the retries' and the waits' jitter, where the code draws it itself."""
    monkeypatch.setattr(random, "random", no_jitter)
