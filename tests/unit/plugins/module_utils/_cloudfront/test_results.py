# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import (
    Owner,
    all_completed,
    is_completed,
    iso8601,
    pending_ids,
    shape_invalidation,
    with_status,
)

UTC = datetime.timezone.utc
FULL = {
    "Id": "I2J0I21PCUYOIK",
    "Status": "InProgress",
    "CreateTime": datetime.datetime(2026, 11, 24, 12, 9, 41, 123000, tzinfo=UTC),
    "InvalidationBatch": {
        "CallerReference": "release-1",
        "Paths": {"Quantity": 2, "Items": ["/index.html", "/assets/*"]},
    },
}


def test_full_invalidation_keeps_every_fact_once_in_snake_case():
    shaped = shape_invalidation(FULL, Owner("E2QWRUHAPOMQZL"))
    assert shaped == {
        "id": "I2J0I21PCUYOIK",
        "distribution_id": "E2QWRUHAPOMQZL",
        "status": "InProgress",
        "completed": False,
        "create_time": "2026-11-24T12:09:41.123000+00:00",
        "caller_reference": "release-1",
        "paths": ["/index.html", "/assets/*"],
        "path_count": 2,
    }


def test_summary_has_summary_keys_only():
    summary = {"Id": "I1", "Status": "Completed", "CreateTime": FULL["CreateTime"]}
    shaped = shape_invalidation(summary, Owner("E1"))
    assert set(shaped) == {"id", "distribution_id", "status", "completed", "create_time"}
    assert shaped["completed"] is True
    assert "items" not in shaped


def test_empty_paths():
    raw = {**FULL, "InvalidationBatch": {"CallerReference": "r", "Paths": {"Quantity": 0}}}
    shaped = shape_invalidation(raw, Owner("E1"))
    assert shaped["paths"] == [] and shaped["path_count"] == 0


@pytest.mark.parametrize(
    "status, done",
    [("Completed", True), ("COMPLETED", True), ("completed", True), ("InProgress", False), (None, False), ("", False)],
)
def test_completed_is_case_insensitive(status, done):
    assert is_completed(status) is done


def test_timestamps_get_a_utc_offset():
    naive = datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert iso8601(naive) == "2026-01-02T03:04:05+00:00"
    cet = datetime.timezone(datetime.timedelta(hours=1))
    assert iso8601(datetime.datetime(2026, 1, 2, 4, 4, 5, tzinfo=cet)) == "2026-01-02T03:04:05+00:00"
    assert iso8601(None) is None


def test_status_updates_and_pending():
    items = [
        shape_invalidation(FULL, Owner("E1")),
        shape_invalidation({**FULL, "Id": "I2", "Status": "Completed"}, Owner("E1")),
    ]
    assert pending_ids(items) == ["I2J0I21PCUYOIK"] and not all_completed(items)
    done = [with_status(items[0], "Completed"), items[1]]
    assert all_completed(done) and pending_ids(done) == []
    assert items[0]["status"] == "InProgress"  # the original is left alone
    assert done[0]["paths"] == items[0]["paths"]


def test_a_tenants_invalidation_names_the_tenant_not_a_distribution():
    owner = Owner("dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB", tenant=True)
    shaped = shape_invalidation(FULL, owner)
    assert shaped["distribution_tenant_id"] == owner.id and "distribution_id" not in shaped
    assert Owner.of(shaped) == owner and str(owner) == "distribution tenant dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"
    assert Owner.of(shape_invalidation(FULL, Owner("E1"))) == Owner("E1")
