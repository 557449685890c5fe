"""Create a distribution and an invalidation on the local CloudFront endpoint; print their IDs as JSON.

Usage: python tools/demo_setup.py ENDPOINT_URL   (in the environment of tools/env.sh: the collection importable)
"""

from __future__ import annotations

import json
import sys

import boto3

from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import distribution_config


def main() -> None:
    client = boto3.client("cloudfront", endpoint_url=sys.argv[1], region_name="us-east-1")
    config = distribution_config(["www.example.com"], "edgeops.cloudfront demo")
    dist = client.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    batch = {"Paths": {"Quantity": 2, "Items": ["/index.html", "/assets/*"]}, "CallerReference": "demo-release-1"}
    inv = client.create_invalidation(DistributionId=dist, InvalidationBatch=batch)["Invalidation"]["Id"]
    print(json.dumps({"distribution_id": dist, "invalidation_id": inv}))


if __name__ == "__main__":
    main()
