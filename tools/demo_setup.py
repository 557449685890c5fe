"""Create a distribution and an invalidation on the local CloudFront endpoint; print their IDs.

Usage: python tools/demo_setup.py ENDPOINT_URL
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

from local_cloudfront import LocalCloudFront  # noqa: E402


def main() -> None:
    endpoint = LocalCloudFront.connect(sys.argv[1])
    dist = endpoint.create_distribution(aliases=["www.example.com"], comment="edgeops.cloudfront demo")
    inv = endpoint.create_invalidation(dist["id"], ["/index.html", "/assets/*"], caller_reference="demo-release-1")
    print(json.dumps({"distribution_id": dist["id"], "invalidation_id": inv}))


if __name__ == "__main__":
    main()
