# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The local endpoint's tests' fixtures: one endpoint for the package's tests, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_cloudfront import LocalCloudFront
from local_cloudfront.helpers import IMPATIENT, LONG


@pytest.fixture(scope="package")
def server() -> Iterator[LocalCloudFront]:
    with LocalCloudFront(default_delay=LONG) as local:
        yield local


@pytest.fixture
def cf(server: LocalCloudFront) -> LocalCloudFront:
    server.reset()
    return server


@pytest.fixture
def client(cf: LocalCloudFront) -> Any:
    return cf.client()


@pytest.fixture
def dist_id(cf: LocalCloudFront) -> str:
    return cf.create_distribution(aliases=["www.example.com"])["id"]


@pytest.fixture
def impatient(cf: LocalCloudFront) -> Any:
    return cf.client(config=IMPATIENT)
