"""Detection overshoot, contestant "boto3 waiter": boto3's own invalidation_completed waiter.

Usage: python benchmarks/boto3_waiter.py ENDPOINT_URL DISTRIBUTION_ID INVALIDATION_ID
(credentials and region from the environment, as any boto3 script takes them)
"""

from __future__ import annotations

import sys

import boto3


def main(endpoint_url: str, distribution_id: str, invalidation_id: str) -> None:
    client = boto3.client("cloudfront", endpoint_url=endpoint_url)
    client.get_waiter("invalidation_completed").wait(DistributionId=distribution_id, Id=invalidation_id)


if __name__ == "__main__":
    main(*sys.argv[1:4])
