# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The local CloudFront endpoint, over real HTTP with boto3 (and urllib for the control API)."""

from __future__ import annotations

import datetime
import email.utils
import functools
import http.client
import json
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from local_cloudfront import (
    CACHE_TAG_CONFIG_REQUIRED,
    CACHE_TAG_MAX,
    DUMMY_ACCESS_KEY_ID,
    DUMMY_SECRET_ACCESS_KEY,
    NO_ANSWER,
    POLLED,
    TOO_MANY_FILE_PATHS,
    TOO_MANY_WILDCARDS,
    LocalCloudFront,
    TokenBucket,
    UnknownInvalidation,
    operation_name,
    patch_moto,
)

SHORT = 0.3  # seconds: a delay a test can wait out
LONG = 3600.0  # seconds: a delay no test waits out
# where ``python -m local_cloudfront`` finds the package
SUPPORT = Path(__file__).resolve().parent
# One attempt, short timeouts: a network fault shows as the client's exception, at once.
IMPATIENT = Config(retries={"total_max_attempts": 1}, read_timeout=1, connect_timeout=1)


@pytest.fixture(scope="module")
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


def error_of(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def status_of(client: Any, dist_id: str, invalidation_id: str) -> str:
    status: str = client.get_invalidation(DistributionId=dist_id, Id=invalidation_id)["Invalidation"]["Status"]
    return status


@pytest.fixture
def impatient(cf: LocalCloudFront) -> Any:
    return cf.client(config=IMPATIENT)


def wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``call()`` in a thread; the dict gets its "result" or its "error"."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except (ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError) as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def control(cf: LocalCloudFront, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{cf.url}/_local_cloudfront/{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


# -- invalidation status ---------------------------------------------------------------


def test_invalidation_is_in_progress_then_completed_after_the_default_delay(
    cf: LocalCloudFront, client: Any, dist_id: str
) -> None:
    cf.set_default_delay(SHORT)
    created = client.create_invalidation(
        DistributionId=dist_id, InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "r1"}
    )["Invalidation"]
    assert created["Status"] == "InProgress"
    assert status_of(client, dist_id, created["Id"]) == "InProgress"
    time.sleep(SHORT + 0.1)
    assert status_of(client, dist_id, created["Id"]) == "Completed"


def test_create_time_is_an_aware_utc_timestamp(client: Any, cf: LocalCloudFront, dist_id: str) -> None:
    before = datetime.datetime.now(datetime.UTC)
    invalidation_id = cf.create_invalidation(dist_id)
    got = client.get_invalidation(DistributionId=dist_id, Id=invalidation_id)["Invalidation"]["CreateTime"]
    assert got.tzinfo is not None and got.utcoffset() == datetime.timedelta(0)
    assert abs((got - before).total_seconds()) < 5
    assert got.microsecond % 1000 == 0  # milliseconds, as CloudFront


def test_complete_in_and_complete_now(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    later = cf.create_invalidation(dist_id, complete_in=SHORT)
    now = cf.create_invalidation(dist_id)
    default = cf.create_invalidation(dist_id, complete_in=None)
    cf.complete_in(now, 0)
    assert status_of(client, dist_id, now) == "Completed"
    assert status_of(client, dist_id, later) == "InProgress"
    time.sleep(SHORT + 0.1)
    assert status_of(client, dist_id, later) == "Completed"
    assert status_of(client, dist_id, default) == "InProgress"  # default delay of this server: LONG
    cf.complete_in(now, LONG)  # and back
    assert status_of(client, dist_id, now) == "InProgress"


def test_complete_in_an_unknown_invalidation_raises(cf: LocalCloudFront) -> None:
    with pytest.raises(UnknownInvalidation):
        cf.complete_in("INOSUCHTHING", 0)


@pytest.mark.filterwarnings(r"ignore:Exception\(InvalidationBatchAlreadyExists\)")  # not in botocore's model
def test_same_caller_reference_is_idempotent(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    first = cf.create_invalidation(dist_id, ["/a"], caller_reference="release-1")
    assert cf.create_invalidation(dist_id, ["/a"], caller_reference="release-1") == first
    batch = {"Paths": {"Quantity": 1, "Items": ["/b"]}, "CallerReference": "release-1"}
    code, http = error_of(client.create_invalidation, DistributionId=dist_id, InvalidationBatch=batch)
    assert (code, http) == ("InvalidationBatchAlreadyExists", 400)


def test_patch_moto_is_idempotent(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    patch_moto()
    patch_moto()
    invalidation_id = cf.create_invalidation(dist_id, complete_in=0)
    assert status_of(client, dist_id, invalidation_id) == "Completed"


# -- listing and paging ----------------------------------------------------------------


def test_list_invalidations_newest_first_with_summaries(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    ids = [cf.create_invalidation(dist_id, [f"/{n}"]) for n in range(3)]
    cf.complete_in(ids[0], 0)
    listing = client.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert [item["Id"] for item in listing["Items"]] == ids[::-1]
    assert [item["Status"] for item in listing["Items"]] == ["InProgress", "InProgress", "Completed"]
    assert all(set(item) == {"Id", "CreateTime", "Status"} for item in listing["Items"])
    assert listing["IsTruncated"] is False and "NextMarker" not in listing and listing["Quantity"] == 3


def test_list_invalidations_pages_with_max_items_and_marker(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    ids = [cf.create_invalidation(dist_id, [f"/{n}"]) for n in range(5)]
    seen, marker, pages = [], "", []
    while True:
        page = client.list_invalidations(DistributionId=dist_id, MaxItems="2", Marker=marker)["InvalidationList"]
        pages.append((page["Marker"], page["Quantity"], page["IsTruncated"], page.get("NextMarker")))
        seen += [item["Id"] for item in page["Items"]]
        if not page["IsTruncated"]:
            break
        marker = page["NextMarker"]
    newest_first = ids[::-1]
    assert seen == newest_first
    assert pages == [
        ("", 2, True, newest_first[1]),
        (newest_first[1], 2, True, newest_first[3]),
        (newest_first[3], 1, False, None),
    ]
    paginator = client.get_paginator("list_invalidations")
    pages_of_two = paginator.paginate(DistributionId=dist_id, PaginationConfig={"PageSize": 2})
    assert [item["Id"] for page in pages_of_two for item in page["InvalidationList"]["Items"]] == newest_first


def test_list_invalidations_of_an_empty_distribution(client: Any, dist_id: str) -> None:
    listing = client.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert listing["Quantity"] == 0 and "Items" not in listing and listing["IsTruncated"] is False


def test_bad_paging_arguments_are_invalid_argument(client: Any, dist_id: str) -> None:
    assert error_of(client.list_invalidations, DistributionId=dist_id, Marker="INOSUCHTHING") == (
        "InvalidArgument",
        400,
    )
    assert error_of(client.list_invalidations, DistributionId=dist_id, MaxItems="0") == ("InvalidArgument", 400)
    assert error_of(client.list_distributions, MaxItems="many") == ("InvalidArgument", 400)


def test_list_distributions_pages_in_creation_order(cf: LocalCloudFront, client: Any) -> None:
    ids = [cf.create_distribution(comment=str(n))["id"] for n in range(3)]
    first = client.list_distributions(MaxItems="2")["DistributionList"]
    assert [item["Id"] for item in first["Items"]] == ids[:2]
    assert first["IsTruncated"] is True and first["NextMarker"] == ids[1]
    second = client.list_distributions(MaxItems="2", Marker=first["NextMarker"])["DistributionList"]
    assert [item["Id"] for item in second["Items"]] == ids[2:]
    assert second["IsTruncated"] is False and "NextMarker" not in second
    everything = client.get_paginator("list_distributions").paginate(PaginationConfig={"PageSize": 1})
    assert [item["Id"] for page in everything for item in page["DistributionList"]["Items"]] == ids


def test_create_distribution_is_real(cf: LocalCloudFront, client: Any) -> None:
    created = cf.create_distribution(aliases=["a.example.com", "b.example.com"], comment="demo")
    assert created["aliases"] == ["a.example.com", "b.example.com"]
    got = client.get_distribution(Id=created["id"])["Distribution"]
    assert got["DomainName"] == created["domain_name"] and got["DistributionConfig"]["Comment"] == "demo"


# -- errors ----------------------------------------------------------------------------


def test_unknown_distribution_and_invalidation_are_404(client: Any, dist_id: str) -> None:
    assert error_of(client.list_invalidations, DistributionId="ENOSUCHDIST") == ("NoSuchDistribution", 404)
    assert error_of(client.get_invalidation, DistributionId="ENOSUCHDIST", Id="I1") == ("NoSuchDistribution", 404)
    assert error_of(client.get_invalidation, DistributionId=dist_id, Id="INOSUCHTHING") == ("NoSuchInvalidation", 404)
    assert error_of(client.get_distribution, Id="ENOSUCHDIST") == ("NoSuchDistribution", 404)


# -- request log -----------------------------------------------------------------------


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
    }
    assert all(set(e) == keys for e in log) and not any(e["lost_answer"] for e in log)
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


# -- control API over HTTP -------------------------------------------------------------


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


# -- network faults --------------------------------------------------------------------


def test_reset_connections_gives_connection_errors_then_answers(
    cf: LocalCloudFront, impatient: Any, dist_id: str
) -> None:
    cf.reset_connections("GetDistribution", 2)
    with pytest.raises(ConnectionClosedError) as caught:
        impatient.get_distribution(Id=dist_id)
    assert isinstance(caught.value.kwargs["error"].args[1], ConnectionResetError)  # a TCP reset, not a FIN
    with pytest.raises(ConnectionClosedError):
        impatient.get_distribution(Id=dist_id)
    assert impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id
    impatient.list_distributions()  # other operations were never affected
    log = [(e["operation"], e["status"]) for e in cf.requests()]
    assert log == [("GetDistribution", NO_ANSWER)] * 2 + [("GetDistribution", 200), ("ListDistributions", 200)]


def test_stall_past_the_read_timeout_then_answers(cf: LocalCloudFront, impatient: Any, dist_id: str) -> None:
    cf.stall("GetDistribution", 1, LONG)  # held until the next reset() (the next test's fixture)
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        impatient.get_distribution(Id=dist_id)
    assert 0.9 <= time.monotonic() - started < 3
    assert impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id  # (a stall: ReadTimeoutError)
    assert [e["status"] for e in cf.requests("GetDistribution")] == [None, 200]  # the first still held


def test_a_stall_does_not_hold_other_requests_and_short_stalls_answer(
    cf: LocalCloudFront, impatient: Any, dist_id: str
) -> None:
    cf.stall("ListDistributions", 1, LONG)
    stalled, outcome = in_thread(impatient.list_distributions)
    wait_for(lambda: cf.requests("ListDistributions"))
    assert impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id
    cf.stall("GetDistribution", 1, SHORT)
    started = time.monotonic()
    assert impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id
    assert time.monotonic() - started >= SHORT
    cf.clear_faults()  # answers the stalled request now
    stalled.join(timeout=5)
    assert "result" in outcome and [e["status"] for e in cf.requests("ListDistributions")] == [200]


def test_stop_is_quick_during_a_stall() -> None:
    with LocalCloudFront(default_delay=LONG) as other:
        other.stall("ListDistributions", 1, LONG)
        stalled, outcome = in_thread(other.client(config=IMPATIENT).list_distributions)
        wait_for(lambda: other.requests("ListDistributions"))
        started = time.monotonic()
        other.stop()
        assert time.monotonic() - started < 2  # not LONG
        stalled.join(timeout=5)
        assert not stalled.is_alive() and outcome  # answered at the stop (or gave up)
        wait_for(lambda: other.requests("ListDistributions")[0]["status"] == 200)


def test_outage_refuses_connections_then_serves_the_same_state_on_the_same_port(
    cf: LocalCloudFront, impatient: Any, dist_id: str
) -> None:
    """A client polling through an outage: answered, refused, answered again. The first request
    after the outage is refused too: the kept-alive connection was closed before outage() returned
    (a request on a connection the endpoint is still closing would meet a reset, ConnectionClosedError)."""

    def poll() -> bool:
        try:
            return bool(impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id)
        except EndpointConnectionError:
            return False

    url = cf.url
    outcomes = [poll(), poll(), poll()]
    cf.outage(0.5)
    started = time.monotonic()
    while len(outcomes) < 500 and (len(outcomes) == 3 or not outcomes[-1]):
        outcomes.append(poll())
        time.sleep(0.02)
    back_after = time.monotonic() - started
    assert (
        outcomes[:4] == [True, True, True, False]
        and outcomes[-1] is True
        and outcomes[4:-1] == [False] * (len(outcomes) - 5)
    )
    assert 0.5 <= back_after < 2
    assert cf.url == url and cf.serving
    assert [e["status"] for e in cf.requests()] == [200] * 4  # the refused requests never arrived


@pytest.mark.parametrize("going", ["outage", "down"])
def test_going_down_closes_idle_connections_at_once_and_answers_one_in_progress_with_close(
    cf: LocalCloudFront, dist_id: str, going: str
) -> None:
    """When outage() or down() returns, an idle kept-alive connection has been shut (its client reads
    the end of it), and a request in progress is still answered, saying "Connection: close"."""
    host, port = cf.url.removeprefix("http://").rsplit(":", 1)
    idle = http.client.HTTPConnection(host, int(port), timeout=5)
    idle.request("GET", "/_local_cloudfront/requests")
    assert idle.getresponse().read() and idle.sock is not None  # answered, kept alive
    patient = cf.client(config=Config(retries={"total_max_attempts": 1}, read_timeout=30))
    cf.stall("GetDistribution", 1, SHORT)
    stalled, outcome = in_thread(lambda: patient.get_distribution(Id=dist_id))
    wait_for(lambda: cf.requests("GetDistribution"))
    cf.outage(LONG) if going == "outage" else cf.down()
    assert select.select([idle.sock], [], [], 0)[0] == [idle.sock] and idle.sock.recv(1) == b""
    stalled.join(timeout=5)
    assert outcome["result"]["ResponseMetadata"]["HTTPHeaders"]["connection"] == "close"
    idle.close()


def test_down_and_up(cf: LocalCloudFront, impatient: Any, dist_id: str) -> None:
    cf.down()
    with pytest.raises(EndpointConnectionError):
        impatient.get_distribution(Id=dist_id)
    cf.up()
    assert impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id


def test_reset_ends_every_fault(cf: LocalCloudFront, impatient: Any) -> None:
    patient = cf.client(config=Config(retries={"total_max_attempts": 1}, read_timeout=30))
    cf.stall("ListDistributions", 5, LONG)
    stalled, outcome = in_thread(patient.list_distributions)
    wait_for(lambda: cf.requests("ListDistributions"))
    cf.reset_connections("ListDistributions", 5)
    cf.throttle("ListDistributions", 5)
    cf.outage(LONG)
    with pytest.raises(EndpointConnectionError):
        impatient.list_distributions()
    started = time.monotonic()
    cf.reset()
    stalled.join(timeout=5)
    # ended by the reset, not after LONG (a loaded machine may take a few seconds to get there)
    assert outcome["result"]["DistributionList"]["Quantity"] == 0 and time.monotonic() - started < 5
    assert cf.serving and impatient.list_distributions()["DistributionList"]["Quantity"] == 0
    assert [e["status"] for e in cf.requests()] == [200]


def test_fault_arguments_are_checked(cf: LocalCloudFront) -> None:
    with pytest.raises(ValueError):
        cf.reset_connections("GetDistributions", 1)  # no such operation
    with pytest.raises(ValueError):
        cf.stall("GetDistribution", 0, 1)
    with pytest.raises(ValueError):
        cf.outage(-1)
    assert cf.serving


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


# -- CLI -------------------------------------------------------------------------------


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_its_url_and_exits_cleanly(stop_signal: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "local_cloudfront", "--delay", "0.5"],
        cwd=SUPPORT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/_local_cloudfront/health", timeout=10) as response:
            assert json.load(response) == {"status": "ok", "default_delay": 0.5}
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert out == "" and err == ""


# -- credentials ------------------------------------------------------------------------


def signed_client(cf: LocalCloudFront, key: str, secret: str, token: str | None = None) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token, region_name="us-east-1"
    )
    return session.client("cloudfront", endpoint_url=cf.url, config=IMPATIENT)


def test_a_registered_key_must_sign_with_its_secret_and_carry_its_token(cf: LocalCloudFront, dist_id: str) -> None:
    key, secret, token = "AKIASIGNATURECHECK01", "signature-check-secret-Hy7Tg5Rf3", "signature-check-token-Jk9"
    cf.register_credentials(key, secret, token)
    good = signed_client(cf, key, secret, token)
    # a body (POST), a query string and a path with a tenant's ID are all signed as botocore signs them
    batch = {"Paths": {"Quantity": 1, "Items": ["/a b/ü*"]}, "CallerReference": "signed"}
    inv = good.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch)["Invalidation"]["Id"]
    assert good.list_invalidations(DistributionId=dist_id, MaxItems="1")["InvalidationList"]["Quantity"] == 1
    assert good.get_invalidation(DistributionId=dist_id, Id=inv)["Invalidation"]["Id"] == inv
    wrong_secret = signed_client(cf, key, "not-the-secret-Ab1Cd2Ef3", token)
    assert error_of(wrong_secret.get_invalidation, DistributionId=dist_id, Id=inv) == ("SignatureDoesNotMatch", 403)
    for lost in (None, "not-the-token-Xy9"):
        client = signed_client(cf, key, secret, lost)
        assert error_of(client.get_invalidation, DistributionId=dist_id, Id=inv) == ("InvalidClientTokenId", 403)
    # a key not registered is one AWS does not know, whatever its secret; a registered key without a
    # token needs none
    stranger = signed_client(cf, "AKIANOTREGISTERED001", "any-secret-Qq1")
    assert error_of(stranger.list_distributions) == ("InvalidClientTokenId", 403)
    cf.register_credentials("AKIANOTOKENNEEDED001", secret)
    assert signed_client(cf, "AKIANOTOKENNEEDED001", secret).list_distributions()
    assert error_of(signed_client(cf, "AKIANOTOKENNEEDED001", "other-secret-Ww2").list_distributions) == (
        "SignatureDoesNotMatch",
        403,
    )
    cf.reset()  # registered for the endpoint's life
    assert error_of(wrong_secret.list_distributions) == ("SignatureDoesNotMatch", 403)


# -- the account's rate limit ------------------------------------------------------------


def test_an_unsigned_request_is_refused_as_aws_refuses_it(cf: LocalCloudFront) -> None:
    """No Authorization header: MissingAuthenticationToken, whatever the operation, and logged."""
    request = urllib.request.Request(f"{cf.url}/2020-05-31/distribution", method="GET")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403 and b"<Code>MissingAuthenticationToken</Code>" in refused.value.read()
    unsigned = boto3.session.Session(region_name="us-east-1").client(
        "cloudfront", endpoint_url=cf.url, config=IMPATIENT.merge(Config(signature_version=botocore.UNSIGNED))
    )
    assert error_of(unsigned.list_distributions) == ("MissingAuthenticationToken", 403)
    assert [(r["operation"], r["status"]) for r in cf.requests()] == [("ListDistributions", 403)] * 2


def test_a_rate_limit_is_a_token_bucket_per_operation_shared_by_every_caller(cf: LocalCloudFront, dist_id: str) -> None:
    for key in ("AKIAFIRSTCALLER0001", "AKIASECONDCALLER002"):
        cf.register_credentials(key, DUMMY_SECRET_ACCESS_KEY)
    first, second = cf.client("AKIAFIRSTCALLER0001", IMPATIENT), cf.client("AKIASECONDCALLER002", IMPATIENT)
    cf.rate_limit(rate=0.05, burst=3, operations=["GetDistribution"])  # a token every 20 s
    outcomes = []
    for n in range(6):  # the burst, then nothing left for either caller
        caller = first if n % 2 else second
        try:
            caller.get_distribution(Id=dist_id)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes == ["ok", "ok", "ok", "Throttling", "Throttling", "Throttling"]
    first.list_distributions()  # another operation: not limited here
    assert cf.rate_limited() == {"GetDistribution": {"taken": 3, "refused": 3}}
    assert [r["status"] for r in cf.requests("GetDistribution")] == [200, 200, 200, 400, 400, 400]


def test_a_token_bucket_fills_at_its_rate_up_to_its_burst(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    bucket = TokenBucket(rate=2, burst=3)
    assert [bucket.take() for _n in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 60  # no more than the burst
    assert [bucket.take() for _n in range(4)] == [True, True, True, False]
    assert (bucket.taken, bucket.refused) == (7, 3)


def test_a_shared_rate_limit_counts_several_operations_together(cf: LocalCloudFront, dist_id: str) -> None:
    cf.rate_limit(rate=0.1, burst=2, operations=["GetDistribution", "ListDistributions"], shared=True)
    client = cf.client(config=IMPATIENT)
    client.get_distribution(Id=dist_id)
    client.list_distributions()
    assert error_of(client.get_distribution, Id=dist_id) == ("Throttling", 400)
    assert error_of(client.list_distributions) == ("Throttling", 400)
    cf.clear_faults()  # ends the limit
    client.list_distributions()


def test_a_rate_limit_over_the_control_api(cf: LocalCloudFront, dist_id: str) -> None:
    code, answer = control(cf, "POST", "faults", {"kind": "rate", "rate": 0.1, "burst": 1})
    assert code == 200 and answer["fault"]["operations"] == list(POLLED) and answer["fault"]["shared"] is False
    client = cf.client(config=IMPATIENT)
    client.get_distribution(Id=dist_id)
    assert error_of(client.get_distribution, Id=dist_id) == ("Throttling", 400)
    client.list_distributions()  # a bucket of its own
    assert control(cf, "POST", "faults", {"kind": "rate", "rate": 1, "burst": 0})[0] == 400
    assert control(cf, "POST", "faults", {"kind": "rate", "rate": 1, "operations": ["Nope"]})[0] == 400


# -- distribution tenants --------------------------------------------------------------


def test_tenants_have_domains_and_invalidations_born_in_progress_that_complete_later(
    cf: LocalCloudFront, client: Any
) -> None:
    cf.set_default_delay(SHORT)
    saas = cf.create_distribution(multi_tenant=True)["id"]
    tenant = cf.create_distribution_tenant(saas, ["Customer.Example.NET"], name="customer")
    assert tenant.startswith("dt_") and len(tenant) == 30
    for identifier in (tenant, "customer"):
        found = client.get_distribution_tenant(Identifier=identifier)["DistributionTenant"]
        assert found["Id"] == tenant and found["DistributionId"] == saas
        assert found["Domains"] == [{"Domain": "customer.example.net", "Status": "active"}]
    by_domain = client.get_distribution_tenant_by_domain(Domain="customer.example.net")["DistributionTenant"]
    assert by_domain["Id"] == tenant
    first = cf.create_tenant_invalidation(tenant, ["/a"])
    second = cf.create_tenant_invalidation(tenant, ["/b"], complete_in=LONG)
    answer = client.get_invalidation_for_distribution_tenant(DistributionTenantId=tenant, Id=first)["Invalidation"]
    assert answer["Status"] == "InProgress" and answer["InvalidationBatch"]["Paths"]["Items"] == ["/a"]
    time.sleep(SHORT + 0.1)
    page = client.list_invalidations_for_distribution_tenant(Id=tenant, MaxItems=1)["InvalidationList"]
    assert [i["Id"] for i in page["Items"]] == [second] and page["IsTruncated"] is True  # newest first
    rest = client.list_invalidations_for_distribution_tenant(Id=tenant, Marker=page["NextMarker"])["InvalidationList"]
    assert [(i["Id"], i["Status"]) for i in rest["Items"]] == [(first, "Completed")]
    # a multi-tenant distribution has no invalidations of its own, and says what it is
    assert client.list_invalidations(DistributionId=saas)["InvalidationList"]["Quantity"] == 0
    config = client.get_distribution(Id=saas)["Distribution"]["DistributionConfig"]
    assert config["ConnectionMode"] == "tenant-only"


def test_unknown_tenants_domains_and_tenant_invalidations_are_404(cf: LocalCloudFront, client: Any) -> None:
    saas = cf.create_distribution(multi_tenant=True)["id"]
    tenant = cf.create_distribution_tenant(saas, ["a.example.net"])
    assert error_of(client.get_distribution_tenant_by_domain, Domain="b.example.net") == ("EntityNotFound", 404)
    assert error_of(client.get_distribution_tenant, Identifier="dt_nosuchtenant") == ("EntityNotFound", 404)
    assert error_of(client.list_invalidations_for_distribution_tenant, Id="dt_nosuchtenant") == ("EntityNotFound", 404)
    assert error_of(client.get_invalidation_for_distribution_tenant, DistributionTenantId=tenant, Id="INOPE") == (
        "NoSuchInvalidation",
        404,
    )
    assert [r["operation"] for r in cf.requests()] == [
        "GetDistributionTenantByDomain",
        "GetDistributionTenant",
        "ListInvalidationsForDistributionTenant",
        "GetInvalidationForDistributionTenant",
    ]


# -- CreateInvalidation as CloudFront refuses it -----------------------------------------


def batch(paths: list[str], reference: str | None = None) -> dict[str, Any]:
    return {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": reference or f"ref-{time.time_ns()}"}


def refusal(call: Any, **kwargs: Any) -> tuple[str, int, str]:
    """The error code, HTTP status and message of a refused call."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.mark.filterwarnings(r"ignore:Exception\(InvalidationBatchAlreadyExists\)")  # not in botocore's model
def test_in_progress_limits_of_a_distribution(cf: LocalCloudFront, client: Any) -> None:
    """CloudFront's limits: 3000 file paths (cache tags among them) and 15 wildcard paths in progress;
    a batch of more than 3000 paths is too large. What is refused is not created."""
    dist = cf.create_distribution(cache_tag_header="Cache-Tag")["id"]

    def create(paths: list[str], reference: str | None = None) -> Any:
        return client.create_invalidation(DistributionId=dist, InvalidationBatch=batch(paths, reference))

    assert refusal(create, paths=[f"/f{n}" for n in range(3001)])[:2] == ("BatchTooLarge", 413)
    files = create([f"/f{n}" for n in range(2999)] + ["#release-1"])["Invalidation"]["Id"]  # 3000 file paths
    assert refusal(create, paths=["/one-more"]) == ("TooManyInvalidationsInProgress", 400, TOO_MANY_FILE_PATHS)
    assert refusal(create, paths=["#one-more"])[0] == "TooManyInvalidationsInProgress"
    first_wildcard = create(["/w0*"], "wildcard-0")["Invalidation"]["Id"]  # counted apart
    create([f"/w{n}*" for n in range(1, 15)])  # 15 wildcard paths in progress
    assert refusal(create, paths=["/w15*"]) == ("TooManyInvalidationsInProgress", 400, TOO_MANY_WILDCARDS)
    # the caller reference comes first: the same paths are the earlier invalidation, limits or not
    again = client.create_invalidation(DistributionId=dist, InvalidationBatch=batch(["/w0*"], "wildcard-0"))
    assert again["Invalidation"]["Id"] == first_wildcard and again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert refusal(create, paths=["/w0*", "/w1*"], reference="wildcard-0")[0] == "InvalidationBatchAlreadyExists"
    assert client.list_invalidations(DistributionId=dist)["InvalidationList"]["Quantity"] == 3
    cf.complete_in(files, 0)  # no longer in progress: room again
    create(["/one-more"])
    assert [r["status"] for r in cf.requests("CreateInvalidation")] == [
        413,
        201,
        400,
        400,
        201,
        201,
        400,
        201,
        400,
        201,
    ]


@pytest.mark.filterwarnings(r"ignore:Exception\(InvalidationBatchAlreadyExists\)")
def test_in_progress_limits_are_per_tenant_and_configurable(cf: LocalCloudFront, client: Any) -> None:
    cf.set_invalidation_limits(paths=2, wildcards=1)
    saas = cf.create_distribution(multi_tenant=True)["id"]
    first, second = (cf.create_distribution_tenant(saas, [f"t{n}.example.net"]) for n in range(2))
    site = cf.create_distribution()["id"]

    def create(tenant: str, paths: list[str], reference: str | None = None) -> Any:
        return client.create_invalidation_for_distribution_tenant(Id=tenant, InvalidationBatch=batch(paths, reference))

    create(first, ["/a", "/b"], "two-files")
    create(first, ["/*"])
    assert refusal(create, tenant=first, paths=["/c"]) == ("TooManyInvalidationsInProgress", 400, TOO_MANY_FILE_PATHS)
    assert refusal(create, tenant=first, paths=["/c*"])[:2] == ("TooManyInvalidationsInProgress", 400)
    assert create(first, ["/a", "/b"], "two-files")["ResponseMetadata"]["HTTPStatusCode"] == 201  # the earlier one
    assert refusal(create, tenant=first, paths=["/b", "/a"], reference="two-files")[0] == (
        "InvalidationBatchAlreadyExists"
    )  # another list of paths
    create(second, ["/a", "/b"])  # each tenant has its own limits, and each distribution
    client.create_invalidation(DistributionId=site, InvalidationBatch=batch(["/a", "/*"]))
    assert refusal(create, tenant=second, paths=["/a", "/b", "/c"])[:2] == ("BatchTooLarge", 413)
    cf.create_tenant_invalidation(first, ["/set-up*"])  # the set-up helpers arrange any state
    listed = client.list_invalidations_for_distribution_tenant(Id=first)["InvalidationList"]["Quantity"]
    assert listed == 3
    # the control API sets them too; reset() restores CloudFront's
    code, answer = control(cf, "POST", "config", {"invalidation_limits": {"paths": 5}})
    assert code == 200 and answer["invalidation_limits"] == {"paths": 5, "wildcards": 15}
    create(second, ["/c", "/d", "/e"])
    cf.reset()
    assert control(cf, "GET", "config")[1]["invalidation_limits"] == {"paths": 3000, "wildcards": 15}


@pytest.mark.parametrize(
    ("paths", "named"),
    [
        ([], None),
        (["images/a.png"], "images/a.png"),
        (["/a", "*"], "*"),
        (["/images/*.png"], "/images/*.png"),
        (["/**"], "/**"),
        (["#release*"], "#release*"),
        (["#"], "#"),
        (["#" + "t" * (CACHE_TAG_MAX + 1)], "#" + "t" * (CACHE_TAG_MAX + 1)),
    ],
)
@pytest.mark.parametrize("owner", ["distribution", "tenant"])
def test_invalid_paths_are_invalid_argument(
    cf: LocalCloudFront, client: Any, paths: list[str], named: str | None, owner: str
) -> None:
    """Each item a path (/..., * only last) or a cache tag (#, 1 to 256 characters, no *), at least one."""
    dist = cf.create_distribution(cache_tag_header="Cache-Tag", multi_tenant=owner == "tenant")["id"]
    if owner == "tenant":
        tenant = cf.create_distribution_tenant(dist, ["customer.example.net"])
        create = functools.partial(client.create_invalidation_for_distribution_tenant, Id=tenant)
    else:
        create = functools.partial(client.create_invalidation, DistributionId=dist)
    code, status, message = refusal(create, InvalidationBatch=batch(paths))
    assert (code, status) == ("InvalidArgument", 400) and (named is None or named in message)
    # what CloudFront takes
    good = ["/", "/a*", "/images/*", "/a b/ü.png", "#" + "t" * CACHE_TAG_MAX, "#v1"]
    assert create(InvalidationBatch=batch(good))["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == good


def test_cache_tags_need_a_cache_tag_config(cf: LocalCloudFront, client: Any) -> None:
    tagged = cf.create_distribution(cache_tag_header="Cache-Tag")["id"]
    plain = cf.create_distribution()["id"]
    config = client.get_distribution(Id=tagged)["Distribution"]["DistributionConfig"]
    assert config["CacheTagConfig"] == {"HeaderName": "Cache-Tag"}
    assert "CacheTagConfig" not in client.get_distribution(Id=plain)["Distribution"]["DistributionConfig"]
    assert (
        client.get_distribution_config(Id=tagged)["DistributionConfig"]["CacheTagConfig"]["HeaderName"] == "Cache-Tag"
    )
    client.create_invalidation(DistributionId=tagged, InvalidationBatch=batch(["#product-42", "/index.html"]))
    assert refusal(
        client.create_invalidation, DistributionId=plain, InvalidationBatch=batch(["/a", "#product-42"])
    ) == (
        "InvalidArgument",
        400,
        CACHE_TAG_CONFIG_REQUIRED,
    )
    client.create_invalidation(DistributionId=plain, InvalidationBatch=batch(["/a"]))
    # a tenant: its distribution's CacheTagConfig
    for cache_tag_header, expected in (("X-Tags", None), (None, CACHE_TAG_CONFIG_REQUIRED)):
        saas = cf.create_distribution(multi_tenant=True, cache_tag_header=cache_tag_header)["id"]
        tenant = cf.create_distribution_tenant(saas, [f"{uuid.uuid4().hex}.example.net"])
        create = functools.partial(
            client.create_invalidation_for_distribution_tenant, Id=tenant, InvalidationBatch=batch(["#product-42"])
        )
        if expected is None:
            create()
        else:
            assert refusal(create) == ("InvalidArgument", 400, expected)


def test_create_invalidation_of_a_multi_tenant_distribution_is_no_such_distribution(
    cf: LocalCloudFront, client: Any
) -> None:
    saas = cf.create_distribution(multi_tenant=True)["id"]
    create = functools.partial(client.create_invalidation, DistributionId=saas, InvalidationBatch=batch(["/a"]))
    assert refusal(create)[:2] == ("NoSuchDistribution", 404)
    assert client.list_invalidations(DistributionId=saas)["InvalidationList"]["Quantity"] == 0


def test_a_rate_limit_on_create_invalidation(cf: LocalCloudFront, dist_id: str) -> None:
    cf.rate_limit(rate=0.05, burst=1, operations=["CreateInvalidation", "CreateInvalidationForDistributionTenant"])
    client = cf.client(config=IMPATIENT)
    client.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch(["/a"]))
    assert error_of(client.create_invalidation, DistributionId=dist_id, InvalidationBatch=batch(["/b"])) == (
        "Throttling",
        400,
    )
    assert client.list_invalidations(DistributionId=dist_id)["InvalidationList"]["Quantity"] == 1
    assert cf.rate_limited()["CreateInvalidation"] == {"taken": 1, "refused": 1}


# -- ListDistributionTenants -------------------------------------------------------------


def test_list_distribution_tenants_filters_by_distribution_and_pages(cf: LocalCloudFront, client: Any) -> None:
    saas = cf.create_distribution(multi_tenant=True)["id"]
    tenants = [cf.create_distribution_tenant(saas, [f"c{n}.example.net"], name=f"customer-{n}") for n in range(2)]
    other = cf.create_distribution(multi_tenant=True)["id"]
    elsewhere = cf.create_distribution_tenant(other, ["elsewhere.example.net"])
    first = client.list_distribution_tenants(AssociationFilter={"DistributionId": saas}, MaxItems=1)
    assert [t["Id"] for t in first["DistributionTenantList"]] == tenants[:1] and first["NextMarker"] == tenants[0]
    summary = first["DistributionTenantList"][0]
    assert set(summary) == {
        "Id",
        "DistributionId",
        "Name",
        "Arn",
        "Domains",
        "CreatedTime",
        "LastModifiedTime",
        "ETag",
        "Enabled",
        "Status",
    }
    assert (summary["DistributionId"], summary["Name"], summary["Domains"]) == (
        saas,
        "customer-0",
        [{"Domain": "c0.example.net", "Status": "active"}],
    )
    second = client.list_distribution_tenants(
        AssociationFilter={"DistributionId": saas}, MaxItems=1, Marker=first["NextMarker"]
    )
    assert [t["Id"] for t in second["DistributionTenantList"]] == tenants[1:] and "NextMarker" not in second
    everything = client.list_distribution_tenants()["DistributionTenantList"]
    assert [t["Id"] for t in everything] == [*tenants, elsewhere]
    unknown = functools.partial(client.list_distribution_tenants, AssociationFilter={"DistributionId": "ENOSUCHDIST"})
    assert error_of(unknown) == ("EntityNotFound", 404)
    assert error_of(client.list_distribution_tenants, Marker="dt_nosuchtenant") == ("InvalidArgument", 400)
    assert [r["operation"] for r in cf.requests()] == ["ListDistributionTenants"] * 5


# -- a lost answer -----------------------------------------------------------------------


def test_a_lost_answer_is_carried_out_and_its_caller_reference_finds_it(
    cf: LocalCloudFront, impatient: Any, dist_id: str
) -> None:
    cf.lose_answers("CreateInvalidation", 1)
    create = functools.partial(
        impatient.create_invalidation, DistributionId=dist_id, InvalidationBatch=batch(["/a"], "release-7")
    )
    with pytest.raises(ConnectionClosedError):
        create()
    created = impatient.list_invalidations(DistributionId=dist_id)["InvalidationList"]["Items"]
    assert len(created) == 1  # carried out, answer lost
    again = create()
    assert again["Invalidation"]["Id"] == created[0]["Id"] and again["ResponseMetadata"]["HTTPStatusCode"] == 201
    log = [(r["operation"], r["status"], r["lost_answer"]) for r in cf.requests()]
    assert log == [
        ("CreateInvalidation", NO_ANSWER, 201),
        ("ListInvalidations", 200, None),
        ("CreateInvalidation", 201, None),
    ]


def test_a_lost_answer_over_the_control_api(cf: LocalCloudFront, impatient: Any) -> None:
    saas = cf.create_distribution(multi_tenant=True)["id"]
    tenant = cf.create_distribution_tenant(saas, ["customer.example.net"])
    code, answer = control(
        cf, "POST", "faults", {"kind": "lose", "operation": "CreateInvalidationForDistributionTenant"}
    )
    assert (code, answer) == (
        200,
        {"fault": {"kind": "lose", "operation": "CreateInvalidationForDistributionTenant", "count": 1}},
    )
    with pytest.raises(ConnectionClosedError):
        impatient.create_invalidation_for_distribution_tenant(Id=tenant, InvalidationBatch=batch(["/a"]))
    listing = impatient.list_invalidations_for_distribution_tenant(Id=tenant)["InvalidationList"]
    assert listing["Quantity"] == 1
    # an error answer can be lost too; and the fault ends with clear_faults()
    cf.lose_answers("GetDistribution", 5)
    with pytest.raises(ConnectionClosedError):
        impatient.get_distribution(Id="ENOSUCHDIST")
    cf.clear_faults()
    assert error_of(impatient.get_distribution, Id="ENOSUCHDIST") == ("NoSuchDistribution", 404)
    assert [(r["status"], r["lost_answer"]) for r in cf.requests() if r["operation"] == "GetDistribution"] == [
        (NO_ANSWER, 404),
        (404, None),
    ]


# -- the server's clock ------------------------------------------------------------------


def answer_date(response: dict[str, Any]) -> float:
    return email.utils.parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"]).timestamp()


def test_the_server_clock_dates_invalidations_and_answers(cf: LocalCloudFront, client: Any, dist_id: str) -> None:
    assert abs(answer_date(client.get_distribution(Id=dist_id)) - time.time()) < 5
    cf.set_clock_offset(3600)
    cf.set_default_delay(SHORT)  # the delays are not shifted
    created = client.create_invalidation(DistributionId=dist_id, InvalidationBatch=batch(["/a"]))
    ahead = time.time() + 3600
    assert abs(created["Invalidation"]["CreateTime"].timestamp() - ahead) < 5
    assert abs(answer_date(created) - ahead) < 5
    with pytest.raises(ClientError) as refused:  # error answers too
        client.get_distribution(Id="ENOSUCHDIST")
    assert abs(answer_date(refused.value.response) - ahead) < 5
    time.sleep(SHORT + 0.1)
    assert status_of(client, dist_id, created["Invalidation"]["Id"]) == "Completed"
    # the control API sets it too; reset() sets it back
    code, answer = control(cf, "POST", "config", {"clock_offset": -3600})
    assert code == 200 and answer["clock_offset"] == -3600
    assert abs(answer_date(client.list_distributions()) - (time.time() - 3600)) < 5
    cf.reset()
    assert control(cf, "GET", "config")[1]["clock_offset"] == 0
    assert abs(answer_date(client.list_distributions()) - time.time()) < 5


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
