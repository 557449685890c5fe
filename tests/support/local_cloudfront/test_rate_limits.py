# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The account's rate limits (faults.RateLimits): a token bucket per operation, or shared."""

from __future__ import annotations

from botocore.exceptions import ClientError

from local_cloudfront import DUMMY_SECRET_ACCESS_KEY, POLLED, LocalCloudFront
from local_cloudfront.helpers import IMPATIENT, batch, control, error_of


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
