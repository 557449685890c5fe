# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fault hooks (faults): reset connections, stalls, lost answers, and their end."""

from __future__ import annotations

import functools
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from local_cloudfront import NO_ANSWER, LocalCloudFront
from local_cloudfront.helpers import IMPATIENT, LONG, READ_TIMEOUT, SHORT, batch, control, error_of, in_thread, wait_for


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
    hasty = cf.client(config=IMPATIENT.merge(Config(read_timeout=READ_TIMEOUT)))
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        hasty.get_distribution(Id=dist_id)
    assert READ_TIMEOUT - 0.1 <= time.monotonic() - started < READ_TIMEOUT + 2
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
