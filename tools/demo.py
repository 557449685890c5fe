"""The main job (`make demo`: the `demo` session of noxfile.py): start the local CloudFront endpoint,
create a distribution and an invalidation that takes a few seconds, and run the example deployment
playbook against it: it reports the invalidation and holds at the wait_for_invalidation gate until
CloudFront completes it.

Usage: python tools/demo.py [ansible-playbook arguments]   (the collection importable, as in the
session's environment). DEMO_INVALIDATION_SECONDS: how long the invalidation takes (default 8).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import LocalCloudFront

REPO = Path(__file__).resolve().parents[1]
# Dummy credentials, which the local endpoint accepts requests signed with; a real run takes them
# from the environment or AWX.
KEY, SECRET = "AKIAEDGEOPSDEMOKEY01", "edgeops-demo-secret-not-a-real-key"


def main() -> int:
    delay = float(os.environ.get("DEMO_INVALIDATION_SECONDS", "8"))
    with LocalCloudFront(default_delay=delay) as endpoint:
        endpoint.register_credentials(KEY, SECRET)
        print(f"==> local CloudFront endpoint at {endpoint.url} (invalidations complete after {delay:g}s)", flush=True)
        dist = endpoint.create_distribution(aliases=["www.example.com"], comment="edgeops.cloudfront demo")["id"]
        client = endpoint.client()
        batch = {"Paths": {"Quantity": 2, "Items": ["/index.html", "/assets/*"]}, "CallerReference": "demo-release-1"}
        inv = client.create_invalidation(DistributionId=dist, InvalidationBatch=batch)["Invalidation"]["Id"]
        print(f"==> created distribution {dist}, invalidation {inv}", flush=True)
        env = {
            k: v for k, v in os.environ.items() if k not in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE")
        }
        env.update(
            AWS_ACCESS_KEY_ID=KEY,
            AWS_SECRET_ACCESS_KEY=SECRET,
            ANSIBLE_LOCALHOST_WARNING="False",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        )
        playbook = [
            "ansible-playbook",
            "examples/deploy_with_gate.yml",
            "-e",
            f"cloudfront_endpoint_url={endpoint.url}",
        ]
        playbook += ["-e", f"distribution_id={dist}", "-e", f"invalidation_id={inv}", *sys.argv[1:]]
        return subprocess.run(playbook, cwd=REPO, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
