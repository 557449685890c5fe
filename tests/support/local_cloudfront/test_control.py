# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP control API (control): state, faults and configuration over HTTP, bad requests refused."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

from local_cloudfront import NO_ANSWER, LocalCloudFront
from local_cloudfront.helpers import LONG, SHORT, control, error_of, status_of


def test_control_api_over_http(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    assert control(cf, "GET", "health") == (200, {"status": "ok", "default_delay": LONG})
    assert control(cf, "POST", "config", {"default_delay": 0})[0] == 200
    done = cf.create_invalidation(dist_id)
    assert status_of(client, dist_id, done) == "Completed"

    assert control(cf, "POST", "config", {"default_delay": LONG})[0] == 200
    pending = cf.create_invalidation(dist_id)
    code, body = control(cf, "POST", f"invalidations/{pending}", {"complete_in": 0})
    assert code == 200 and body["id"] == pending and body["status"] == "Completed"
    assert status_of(client, dist_id, pending) == "Completed"

    code, body = control(cf, "GET", "requests")
    assert code == 200 and [e["operation"] for e in body["requests"]] == ["GetInvalidation", "GetInvalidation"]
    assert control(cf, "GET", "requests?operation=ListInvalidations") == (200, {"requests": []})
    assert control(cf, "DELETE", "requests") == (200, {"cleared": 2})
    assert control(cf, "GET", "requests") == (200, {"requests": []})


def test_control_api_reset_wipes_state_and_restores_the_delay(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    cf.create_invalidation(dist_id)
    client.list_distributions()
    control(cf, "POST", "config", {"default_delay": 1.5})
    assert control(cf, "POST", "reset") == (200, {"status": "ok", "default_delay": LONG})
    assert client.list_distributions()["DistributionList"]["Quantity"] == 0
    assert [e["operation"] for e in cf.requests()] == ["ListDistributions"]


def test_control_api_rejects_bad_requests(cf: LocalCloudFront) -> None:
    assert control(cf, "POST", "config", {"default_delay": "soon"})[0] == 400
    assert control(cf, "POST", "config", {"default_delay": -1})[0] == 400
    assert control(cf, "POST", "config", ["not", "an", "object"])[0] == 400
    assert control(cf, "POST", "invalidations/INOSUCHTHING", {"complete_in": 0})[0] == 404
    assert control(cf, "GET", "no-such-endpoint")[0] == 404
    assert control(cf, "PUT", "reset")[0] == 405


def test_faults_over_the_control_api(cf: LocalCloudFront, impatient: Any, dist_id: str) -> None:
    def fault(**body: Any) -> dict[str, Any]:
        code, answer = control(cf, "POST", "faults", body)
        assert code == 200, answer
        return answer

    def get() -> str:
        identifier: str = impatient.get_distribution(Id=dist_id)["Distribution"]["Id"]
        return identifier

    assert fault(kind="reset", operation="GetDistribution") == {
        "fault": {"kind": "reset", "operation": "GetDistribution", "count": 1}
    }
    with pytest.raises(ConnectionClosedError):
        get()
    fault(kind="throttle", operation="GetDistribution", count=1)
    assert error_of(impatient.get_distribution, Id=dist_id) == ("Throttling", 400)
    fault(kind="error", operation="GetDistribution", status=503, code="ServiceUnavailable", count=1)
    assert error_of(impatient.get_distribution, Id=dist_id) == ("ServiceUnavailable", 503)
    fault(kind="stall", operation="GetDistribution", seconds=SHORT)
    started = time.monotonic()
    assert get() == dist_id and time.monotonic() - started >= SHORT
    assert fault(kind="outage", seconds=LONG) == {"fault": {"kind": "outage", "seconds": LONG}}
    with pytest.raises(EndpointConnectionError):
        get()
    cf.up()  # (the control API is down too)
    fault(kind="error", operation="GetDistribution", status=500, code="InternalError")  # until cleared
    assert error_of(impatient.get_distribution, Id=dist_id) == ("InternalError", 500)
    assert error_of(impatient.get_distribution, Id=dist_id) == ("InternalError", 500)
    assert control(cf, "DELETE", "faults")[0] == 200
    assert get() == dist_id
    assert [e["status"] for e in cf.requests()] == [NO_ANSWER, 400, 503, 200, 500, 500, 200]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "flood"},
        {"operation": "GetDistribution"},
        {"kind": "reset", "operation": "GetDistributions"},
        {"kind": "reset", "operation": "GetDistribution", "count": 0},
        {"kind": "stall", "operation": "GetDistribution", "count": 1},
        {"kind": "outage", "seconds": -1},
        {"kind": "error", "operation": "GetDistribution", "status": 200, "code": "Fine"},
        {"kind": "error", "operation": "GetDistribution", "status": 500},
    ],
)
def test_control_api_rejects_bad_faults(cf: LocalCloudFront, body: dict[str, Any]) -> None:
    assert control(cf, "POST", "faults", body)[0] == 400
    assert cf.serving


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"delay": 1},
        {"clock_offset": "soon"},
        {"clock_offset": True},
        {"invalidation_limits": {"paths": 0}},
        {"invalidation_limits": {"files": 10}},
        {"invalidation_limits": [3000, 15]},
    ],
)
def test_control_api_rejects_bad_config(cf: LocalCloudFront, body: dict[str, Any]) -> None:
    assert control(cf, "POST", "config", body)[0] == 400
    assert control(cf, "GET", "config")[1] == {
        "status": "ok",
        "default_delay": LONG,
        "clock_offset": 0,
        "invalidation_limits": {"paths": 3000, "wildcards": 15},
    }
