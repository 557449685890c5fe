# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The request log (request_log): operations named from botocore's model, keys, statuses."""

from __future__ import annotations

import json
import time
from typing import Any

from local_cloudfront import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalCloudFront, operation_name
from local_cloudfront.helpers import error_of


def test_request_log_names_operations_keys_and_statuses(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    invalidation_id = cf.create_invalidation(dist_id)
    assert cf.requests() == []  # set-up calls are not logged
    started = time.time()
    client.list_distributions()
    client.get_distribution(Id=dist_id)
    client.create_invalidation(
        DistributionId=dist_id, InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/x"]}, "CallerReference": "c"}
    )
    client.list_invalidations(DistributionId=dist_id)
    client.get_invalidation(DistributionId=dist_id, Id=invalidation_id)
    error_of(client.get_invalidation, DistributionId=dist_id, Id="INOSUCHTHING")
    log = cf.requests()
    assert [(e["operation"], e["method"], e["status"]) for e in log] == [
        ("ListDistributions", "GET", 200),
        ("GetDistribution", "GET", 200),
        ("CreateInvalidation", "POST", 201),
        ("ListInvalidations", "GET", 200),
        ("GetInvalidation", "GET", 200),
        ("GetInvalidation", "GET", 404),
    ]
    keys = {
        "time",
        "method",
        "path",
        "operation",
        "access_key_id",
        "status",
        "connection",
        "session_token",
        "query",
        "service",
        "lost_answer",
        "answered",
    }
    assert all(set(e) == keys for e in log) and not any(e["lost_answer"] for e in log)
    # each answered after it arrived, in the order of arrival (one client, one request at a time)
    assert all(a["time"] <= a["answered"] <= b["time"] for a, b in zip(log, log[1:]))
    # one client, one kept-alive connection; no session token with these dummy credentials
    assert len({e["connection"] for e in log}) == 1 and not any(e["session_token"] for e in log)
    assert all(e["access_key_id"] == DUMMY_ACCESS_KEY_ID for e in log)
    assert all(started <= e["time"] <= time.time() for e in log)
    assert log[4]["path"] == f"/2020-05-31/distribution/{dist_id}/invalidation/{invalidation_id}"
    assert DUMMY_SECRET_ACCESS_KEY not in json.dumps(log) and "Signature" not in json.dumps(log)
    assert [e["path"] for e in cf.requests("GetInvalidation")] == [log[4]["path"], log[5]["path"]]
    cf.clear_requests()
    assert cf.requests() == []


def test_operation_names_from_method_and_path() -> None:
    base = "/2020-05-31/distribution"
    assert operation_name("POST", base) == "CreateDistribution"
    assert operation_name("POST", base, "WithTags") == "CreateDistributionWithTags"
    assert operation_name("GET", f"{base}/E1/config") == "GetDistributionConfig"
    assert operation_name("DELETE", f"{base}/E1") == "DeleteDistribution"
    assert operation_name("GET", "/not/cloudfront") is None
