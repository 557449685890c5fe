"""docs/iam-policy.json allows exactly the CloudFront calls of plugins/module_utils/_cloudfront/, and
docs/iam.md shows that policy (run by the `docs` session of noxfile.py)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    code_dir, policy_file, guide = (
        REPO / "plugins/module_utils/_cloudfront",
        REPO / "docs/iam-policy.json",
        REPO / "docs/iam.md",
    )
    # the boto3 client methods called (client.get_invalidation(...)) -> IAM actions
    calls: set[str] = set()
    for source in sorted(code_dir.glob("*.py")):
        calls |= set(re.findall(r"\bclient\.([a-z_]+)\(", source.read_text()))
    in_code = {"cloudfront:" + "".join(part.title() for part in call.split("_")) for call in calls}
    policy = json.loads(policy_file.read_text())
    in_policy: set[str] = set()
    for statement in policy["Statement"]:
        actions = statement["Action"]
        in_policy |= {actions} if isinstance(actions, str) else set(actions)
    problems = []
    if in_code != in_policy:
        problems.append(f"docs/iam-policy.json allows {sorted(in_policy)}, the code calls {sorted(in_code)}")
    shown = re.search(r"```json\n(.*?)```", guide.read_text(), re.S)
    if not shown or json.loads(shown.group(1)) != policy:
        problems.append("the policy in docs/iam.md is not docs/iam-policy.json")
    if problems:
        sys.exit("FAIL: " + "; ".join(problems))
    print(f"docs/iam-policy.json: exactly the CloudFront actions the code calls ({', '.join(sorted(in_code))})")


if __name__ == "__main__":
    main()
