#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudfront_invalidation
version_added: 0.1.0
short_description: Create CloudFront invalidations, idempotently, and wait until they are completed
description:
  - Creates an invalidation of an Amazon CloudFront distribution, of a distribution tenant of a
    multi-tenant distribution, or of every tenant of one (O(all_tenants)), for file paths, wildcards
    and cache tags.
  - Idempotent with O(caller_reference). CloudFront answers a create with a caller reference it has
    seen with the same paths by returning the earlier invalidation and creating nothing, so a re-run
    costs one request, whatever the length of the history, and returns C(changed=false). The same
    reference with other paths fails, naming the reference and the earlier invalidation.
  - Without O(caller_reference), one is made for the task run, and every retry of the run's create
    sends it; a create whose answer was lost (a connection reset after CloudFront took the request)
    is retried without making a second invalidation.
  - Whether CloudFront's answer is a new invalidation is told from its C(CreateTime) and the server's
    clock (the answer's C(Date) header), not the controller's, which may be off.
  - When CloudFront refuses the create with C(TooManyInvalidationsInProgress) (at most 3,000 file paths
    and cache tags and 15 wildcards may be in progress per distribution or tenant), waits up to
    O(headroom_timeout) seconds for some of the invalidations in progress to complete, then creates.
  - Throttled creates (CreateInvalidation allows about one request every two seconds per account) and
    other passing failures are retried with capped, jittered backoff for up to 60 seconds.
  - With O(wait=true), waits until the invalidations are C(Completed), exactly as
    M(edgeops.cloudfront.cloudfront_invalidation_info) waits.
  - Supports check mode (nothing is created; C(changed) says whether a create would be) and diff mode
    (the paths).
  - CloudFront is a global service; no region needs to be given.
author:
  - edgeops.cloudfront maintainers (@edgeops)
options:
  distribution_id:
    description:
      - The ID of the CloudFront distribution, for example C(E2QWRUHAPOMQZL).
      - Exactly one of O(distribution_id), O(distribution_tenant_id) and O(alias) is required.
      - A multi-tenant distribution has no invalidations of its own; give O(all_tenants=true) to invalidate
        every tenant, or name one tenant.
    type: str
  distribution_tenant_id:
    description:
      - The ID of a distribution tenant of a multi-tenant distribution, for example
        C(dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB) (CreateInvalidationForDistributionTenant).
    type: str
  alias:
    description:
      - Find the distribution by one of its alternate domain names (CNAMEs) or its CloudFront domain name,
        or else the distribution tenant by one of its domains, as
        M(edgeops.cloudfront.cloudfront_invalidation_info) finds them.
    type: str
  all_tenants:
    description:
      - Create the same batch on every tenant of the multi-tenant distribution O(distribution_id)
        (ListDistributionTenants), and report them all in RV(invalidations), each naming its
        C(distribution_tenant_id).
      - Each tenant's caller reference is derived from the task's, C(<caller_reference>@<tenant ID>) (with a
        digest of the reference when that would pass 128 characters), so a re-run creates nothing.
      - When a tenant's create fails after others were made, the module fails with C(changed=true), its message
        naming the invalidations made; a re-run with the same O(caller_reference) creates only what is missing.
    type: bool
    default: false
  paths:
    description:
      - What to invalidate, one batch; each path starts with C(/) (a file path, C(/index.html), or a
        wildcard with C(*) as its last character, C(/assets/*)) or with C(#) (a cache tag, C(#product-42),
        for a distribution with a C(CacheTagConfig); at most 256 characters, no wildcard, matched without
        regard to case).
      - Sent each once, in the order given. A re-run with the same O(caller_reference) must list the same
        paths in the same order.
      - At most 3,000 paths and 15 wildcards, which is what CloudFront lets be in progress per distribution;
        a longer batch is refused before any request.
      - Each path, wildcard or tag is billed after the first 1,000 of the month.
    type: list
    elements: str
    required: true
  caller_reference:
    description:
      - A unique value for this batch (at most 128 characters), for example the release or the commit.
        A re-run with the same reference and the same paths creates nothing and returns the earlier
        invalidation (C(changed=false)).
      - Not given, one is made for the task run (RV(caller_reference)); a re-run then creates another.
    type: str
  headroom_timeout:
    description:
      - How many seconds to wait, at most, for room among the invalidations in progress when CloudFront
        answers C(TooManyInvalidationsInProgress); V(0) fails at once (after reading what is in progress, to
        name it).
      - Meanwhile the oldest of the invalidations in progress (they complete about in the order made) is polled,
        one request a poll, as a wait polls, up to O(max_poll_interval) apart, and the create is tried again as
        soon as it completes.
      - When no room comes in time, the module fails, naming the limit and the invalidations in progress.
    type: int
    default: 600
  wait:
    description:
      - Wait until the invalidations are C(Completed), as M(edgeops.cloudfront.cloudfront_invalidation_info) waits.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait, at most, counted from the first poll after the create.
      - When the time is up and invalidations are still in progress, the module fails, naming them.
    type: int
    default: 1800
    aliases: [timeout]
  max_poll_interval:
    description:
      - The longest interval between two polls, in seconds, during the wait and while waiting for headroom.
    type: int
    default: 20
notes:
  - Needs the IAM actions C(cloudfront:CreateInvalidation) (C(cloudfront:CreateInvalidationForDistributionTenant)
    for tenants), C(cloudfront:GetInvalidation) and C(cloudfront:ListInvalidations) (their
    ...ForDistributionTenant twins for tenants) to wait, to wait for headroom and to name an earlier
    invalidation, C(cloudfront:GetDistribution) in check mode, to wait for headroom and to explain a refusal
    (a multi-tenant distribution, a distribution without tenants or without a C(CacheTagConfig)),
    C(cloudfront:GetDistributionTenant) to explain a cache tag refused on a tenant,
    C(cloudfront:ListDistributionTenants) with O(all_tenants=true), and C(cloudfront:ListDistributions) and
    C(cloudfront:GetDistributionTenantByDomain) with O(alias).
  - In check mode, a distribution is read (a multi-tenant one fails as a create would), and with
    O(caller_reference) the 20 newest invalidations are read to find an earlier one; C(changed=true) when
    none of them has the reference.
  - Temporary credentials need their session token, read as
    M(edgeops.cloudfront.cloudfront_invalidation_info) reads it (E(AWS_SECURITY_TOKEN) too).
requirements:
  - python >= 3.11
  - boto3 >= 1.38.4
  - botocore >= 1.38.4 (the first with CloudFront's distribution tenant operations)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - edgeops.cloudfront.attributes.actiongroup_aws
"""

EXAMPLES = r"""
- name: Invalidate a release's pages, once per release, and wait until CloudFront has done it
  edgeops.cloudfront.cloudfront_invalidation:
    alias: www.example.com
    paths:
      - /index.html
      - /assets/*
    caller_reference: "release-{{ release_version }}"
    wait: true
    wait_timeout: 1800

- name: Invalidate a cache tag
  edgeops.cloudfront.cloudfront_invalidation:
    distribution_id: E2QWRUHAPOMQZL
    paths: ["#product-42"]
    caller_reference: "product-42-{{ price_change_id }}"

- name: Invalidate the same paths on every tenant of a multi-tenant distribution
  edgeops.cloudfront.cloudfront_invalidation:
    distribution_id: E1MULTITENANT
    all_tenants: true
    paths: ["/*"]
    caller_reference: "theme-{{ theme_version }}"
  register: invalidated

- name: Hold later tasks until they are completed
  edgeops.cloudfront.cloudfront_invalidation_wait:
    targets: "{{ invalidated.invalidations }}"
"""

RETURN = r"""
invalidation:
  description:
    - The invalidation created, or the earlier one with the same caller reference and paths, as
      M(edgeops.cloudfront.cloudfront_invalidation_info) reports one (after the wait, with its last status).
  returned: unless O(all_tenants=true); in check mode, when an earlier invalidation was found
  type: dict
  contains: &invalidation
    id:
      description: The invalidation's ID.
      returned: always
      type: str
      sample: I2J0I21PCUYOIK
    distribution_id:
      description: The ID of the distribution the invalidation belongs to.
      returned: for an invalidation of a distribution
      type: str
      sample: E2QWRUHAPOMQZL
    distribution_tenant_id:
      description: The ID of the distribution tenant the invalidation belongs to.
      returned: for an invalidation of a distribution tenant
      type: str
      sample: dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB
    status:
      description: The status exactly as CloudFront sends it.
      returned: always
      type: str
      sample: InProgress
    completed:
      description: Whether the status is C(Completed).
      returned: always
      type: bool
      sample: false
    create_time:
      description: When the invalidation was created, in ISO 8601 with a UTC offset.
      returned: always
      type: str
      sample: "2026-12-06T12:09:41.123000+00:00"
    caller_reference:
      description: The caller reference the invalidation was created with.
      returned: always
      type: str
      sample: release-2026.12.06
    paths:
      description: The paths invalidated, as sent (each once, in the order given).
      returned: always
      type: list
      elements: str
      sample: ["/index.html", "/assets/*"]
    path_count:
      description: The number of paths invalidated.
      returned: always
      type: int
      sample: 2
invalidations:
  description: The invalidation of each tenant, in the order ListDistributionTenants lists them.
  returned: with O(all_tenants=true)
  type: list
  elements: dict
  contains: *invalidation
distribution_id:
  description: The ID of the distribution, also when it was found by O(alias).
  returned: for a distribution, unless O(all_tenants=true) (in check mode too)
  type: str
  sample: E2QWRUHAPOMQZL
distribution_tenant_id:
  description: The ID of the distribution tenant, also when it was found by O(alias).
  returned: for a distribution tenant
  type: str
  sample: dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB
caller_reference:
  description: The caller reference of the run, the one given or the one made for it.
  returned: unless in check mode without O(caller_reference)
  type: str
  sample: release-2026.12.06
headroom_waited:
  description: How many seconds the run waited for room among the invalidations in progress (V(0) when none).
  returned: success
  type: float
  sample: 0.0
waited:
  description: How many seconds the wait took, from its first poll to its last.
  returned: when O(wait=true) and the wait ended
  type: float
  sample: 61.52
completed:
  description: Whether every invalidation is C(Completed).
  returned: when O(wait=true) and the wait ended
  type: bool
  sample: true
timed_out:
  description: Whether the wait ended because O(wait_timeout) passed with invalidations in progress.
  returned: when O(wait=true) and the wait ended
  type: bool
  sample: false
api_calls:
  description: How many requests the module sent to CloudFront, retries and lookups included.
  returned: always, on failure too (not when the arguments were refused before any request)
  type: int
  sample: 1
error_code:
  description: The AWS error code of the failure.
  returned: on failure, when AWS answered with an error
  type: str
  sample: TooManyInvalidationsInProgress
request_id:
  description: The ID AWS gave its answer, for AWS Support.
  returned: on failure, when AWS answered with an error that carries one
  type: str
  sample: 9a3e1e9c-6f0c-4f1e-8d3a-2b1a6a0c4c1d
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import (
    RETRY_SECONDS,
    module_api,
    owner_of,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.create import Creator
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.invalidate import Request, invalidate
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.validation import check_create_params
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import PollSchedule


def main() -> None:
    argument_spec = dict(
        distribution_id=dict(type="str"),
        distribution_tenant_id=dict(type="str"),
        alias=dict(type="str"),
        all_tenants=dict(type="bool", default=False),
        paths=dict(type="list", elements="str", required=True),
        caller_reference=dict(type="str"),
        headroom_timeout=dict(type="int", default=600),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800, aliases=["timeout"]),
        max_poll_interval=dict(type="int", default=20),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("distribution_id", "distribution_tenant_id", "alias")],
        required_one_of=[("distribution_id", "distribution_tenant_id", "alias")],
        supports_check_mode=True,
    )
    params = module.params
    errors = check_create_params(params)
    if errors:
        module.fail_json(msg="; ".join(errors))

    wait_timeout = float(params["wait_timeout"])
    api, counter = module_api(module, budget=max(RETRY_SECONDS, wait_timeout if params["wait"] else 0))
    schedule = PollSchedule(max_interval=params["max_poll_interval"])
    request = Request(
        paths=params["paths"],
        caller_reference=params["caller_reference"],
        all_tenants=params["all_tenants"],
        wait=params["wait"],
        wait_timeout=wait_timeout,
        check_mode=module.check_mode,
    )
    try:
        owner = owner_of(params, api)
        creator = Creator(api, headroom_timeout=params["headroom_timeout"], schedule=schedule)
        outcome = invalidate(api, creator, owner, request, schedule)
    except CloudFrontError as e:
        module.fail_json(msg=e.msg, changed=e.changed, api_calls=counter.count, **e.facts())

    outcome.facts["api_calls"] = counter.count
    if outcome.failure:
        module.fail_json(msg=outcome.failure, changed=outcome.changed, **outcome.facts)
    if module._diff:
        outcome.facts["diff"] = outcome.diff
    module.exit_json(changed=outcome.changed, **outcome.facts)


if __name__ == "__main__":
    main()
