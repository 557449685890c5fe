#!/usr/bin/env bash
# Fan-in, contestant "CLI loop": one AWS CLI waiter per invalidation, in turn, as a shell loop would.
# Usage: fanin_cli_loop.sh AWS ENDPOINT_URL LIST_FILE (lines: DISTRIBUTION_ID INVALIDATION_ID)
set -euo pipefail
aws=$1 endpoint=$2 list=$3
while read -r distribution invalidation; do
    "$aws" cloudfront wait invalidation-completed \
        --distribution-id "$distribution" --id "$invalidation" --endpoint-url "$endpoint"
done <"$list"
