#!/usr/bin/env bash
# The collection's reference documentation, generated from the code with antsibull-docs.
#
# Usage: tools/docs.sh            regenerate docs/reference/ (commit the result)
#        tools/docs.sh --check    fail if docs/reference/ is not what the code generates, or if
#                                 docs/iam-policy.json does not allow exactly the CloudFront calls
#                                 of plugins/module_utils/_cloudfront/ (or docs/iam.md shows another),
#                                 or if a relative link in the Markdown docs is broken
#
# docs/reference/ holds one page per module and role, in antsibull-docs' simplified-rst format
# (plain RST with HTML tables, which GitHub renders), and an index:
#   index.rst                             the collection, its modules and roles
#   cloudfront_invalidation_info_module.rst  from the module's DOCUMENTATION, EXAMPLES, RETURN
#   wait_for_invalidation_role.rst        from roles/wait_for_invalidation/meta/argument_specs.yml
# The doc fragments of amazon.aws (connection options) come from the `ansible` package of .venv,
# so the pages change when that package does: regenerate them with it.
#
# Their lint (antsibull-docs lint-collection-docs) is antsibull-nox's docs-check session (noxfile.py).
set -euo pipefail
# shellcheck source=tools/ecosystem_env.sh
. "$(dirname "$0")/ecosystem_env.sh"
cd "$REPO"

DEST=docs/reference
COLLECTION=edgeops.cloudfront

generate() {  # generate DIR: the reference docs, into the empty directory DIR
    "$ECO_BIN/antsibull-docs" collection --use-current --squash-hierarchy \
        --output-format simplified-rst --no-add-antsibull-docs-version --fail-on-error \
        --dest-dir "$1" "$COLLECTION" </dev/null
}

fresh_dir() {  # a new, empty directory under .work that only its owner can write to (antsibull-docs insists)
    rm -rf "$1"
    mkdir -p "$1"
    chmod 0755 "$1"
}

check_iam_policy() {  # docs/iam-policy.json allows exactly the CloudFront calls of module_utils, and iam.md shows it
    python - plugins/module_utils/_cloudfront docs/iam-policy.json docs/iam.md <<'PY'
import json, pathlib, re, sys
code_dir, policy_file, guide = sys.argv[1:]
# the boto3 client methods called (lambda client: client.get_invalidation(...)) -> IAM actions
calls = set()
for source in sorted(pathlib.Path(code_dir).glob("*.py")):
    calls |= set(re.findall(r"\bclient\.([a-z_]+)\(", source.read_text()))
in_code = {"cloudfront:" + "".join(part.title() for part in call.split("_")) for call in calls}
policy = json.loads(pathlib.Path(policy_file).read_text())
in_policy = set()
for statement in policy["Statement"]:
    actions = statement["Action"]
    in_policy |= set([actions] if isinstance(actions, str) else actions)
problems = []
if in_code != in_policy:
    problems.append(f"{policy_file} allows {sorted(in_policy)}, the code calls {sorted(in_code)}")
shown = re.search(r"```json\n(.*?)```", pathlib.Path(guide).read_text(), re.S)
if not shown or json.loads(shown.group(1)) != policy:
    problems.append(f"the policy in {guide} is not {policy_file}")
if problems:
    sys.exit("==> FAIL: " + "; ".join(problems))
print(f"==> {policy_file}: exactly the CloudFront actions the code calls ({', '.join(sorted(in_code))})")
PY
}

check_links() {  # relative links (and #anchors into Markdown files) in the Markdown docs resolve
    python - README.md docs/*.md roles/*/README.md <<'PY'
import pathlib, re, sys
def anchors(md):  # GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.*)$", md.read_text(), re.M)}
broken = []
for md in map(pathlib.Path, sys.argv[1:]):
    for target in re.findall(r"\]\(([^)\s]+)\)", md.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (md.parent / path) if path else md
        if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in anchors(dest)):
            broken.append(f"{md}: {target}")
if broken:
    sys.exit("==> FAIL: broken links: " + "; ".join(broken))
print(f"==> links in {len(sys.argv) - 1} Markdown files resolve")
PY
}

case "${1:-}" in
    "")
        out=$WORK/docs/generated
        fresh_dir "$out"
        generate "$out"
        rm -rf "$DEST"
        mkdir -p "$DEST"
        cp -R "$out/." "$DEST/"
        echo "==> $DEST regenerated:"
        ls -1 "$DEST"
        ;;
    --check)
        out=$WORK/docs/check
        fresh_dir "$out"
        generate "$out"
        if ! diff -ru "$DEST" "$out" >"$WORK/docs/check.diff"; then
            head -n 60 "$WORK/docs/check.diff" >&2
            echo "==> FAIL: $DEST is stale (full diff: $WORK/docs/check.diff); run tools/docs.sh and commit the result" >&2
            exit 1
        fi
        echo "==> $DEST is up to date ($(find "$DEST" -type f | wc -l) files)"
        check_iam_policy
        check_links
        ;;
    *)
        sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
