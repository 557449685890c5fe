#!/usr/bin/env bash
# The main job, on the embedded default: start the local CloudFront endpoint, create a
# distribution and an invalidation that takes a few seconds, and run the example deployment
# playbook: it reports the invalidation and holds at the wait_for_invalidation gate until it completes.
set -euo pipefail
# shellcheck source=tools/env.sh
. "$(dirname "$0")/env.sh"

DELAY=${DEMO_INVALIDATION_SECONDS:-8}
# Dummy credentials for the local endpoint, which accepts requests signed with them only; a real run
# takes them from the environment or AWX.
key=AKIAEDGEOPSDEMOKEY01 secret=edgeops-demo-secret-not-a-real-key
mkdir -p "$WORK/demo"
python -m ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront --port 0 --delay "$DELAY" --credentials "$key=$secret" \
    >"$WORK/demo/endpoint.url" 2>"$WORK/demo/endpoint.log" &
endpoint_pid=$!
trap 'kill "$endpoint_pid" 2>/dev/null || true; wait "$endpoint_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    [ -s "$WORK/demo/endpoint.url" ] && break
    sleep 0.1
done
url=$(head -n1 "$WORK/demo/endpoint.url")
[ -n "$url" ] || { echo "the local CloudFront endpoint did not start:" >&2; cat "$WORK/demo/endpoint.log" >&2; exit 1; }
echo "==> local CloudFront endpoint at $url (invalidations complete after ${DELAY}s)"

export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret
unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE

ids=$(python "$REPO/tools/demo_setup.py" "$url")
echo "==> created $ids"
dist=$(python -c 'import json,sys; print(json.loads(sys.argv[1])["distribution_id"])' "$ids")
inv=$(python -c 'import json,sys; print(json.loads(sys.argv[1])["invalidation_id"])' "$ids")

cd "$REPO"
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False
ansible-playbook examples/deploy_with_gate.yml \
    -e "cloudfront_endpoint_url=$url" -e "distribution_id=$dist" -e "invalidation_id=$inv" "$@"
