#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudfront_invalidation_info
version_added: 0.1.0
short_description: Report CloudFront invalidations and wait until they are completed
description:
  - Reports one, several or all invalidations of an Amazon CloudFront distribution, as
    structured results with snake_case keys, from the GetInvalidation and ListInvalidations APIs.
  - Finds the distribution by ID or by alias (an alternate domain name or its C(*.cloudfront.net) name),
    and an invalidation by ID or by the caller reference it was created with.
  - With O(wait=true), waits until the selected invalidations are C(Completed). The first poll is
    immediate; the interval starts at a second and a half and grows with the time waited, with jitter,
    up to O(max_poll_interval). The wait never runs past O(wait_timeout) by more than one request.
  - Every request is retried when it fails for a passing reason (throttling, a 5xx answer, a refused,
    reset or dropped connection, a connect or read timeout, a TLS session that dropped, credentials
    being refreshed), with capped, jittered backoff, for up to 60 seconds, and inside O(wait_timeout)
    during a wait. What a retry cannot mend (access denied, expired or rejected credentials, a certificate
    that does not verify, an invalidation that does not exist) fails at once, saying what to fix.
  - A run makes its client once (two for a long wait, the second with short timeouts for its last seconds).
  - Several invalidations of one distribution are read and polled with ListInvalidations pages, not
    with one GetInvalidation call each.
  - With O(targets), reports and waits for invalidations of several distributions in one run.
  - Distribution tenants of multi-tenant distributions (CloudFront SaaS Manager) too, by their ID
    (O(distribution_tenant_id)) or one of their domains (O(alias)), in every mode, and in O(targets)
    beside distributions; their invalidations are read with GetInvalidationForDistributionTenant and
    ListInvalidationsForDistributionTenant, and name the tenant (RV(invalidations[].distribution_tenant_id)).
    A multi-tenant distribution has no invalidations of its own; given as O(distribution_id), the module
    says how to name its tenants.
  - CloudFront is a global service; no region needs to be given.
author:
  - edgeops.cloudfront maintainers (@edgeops)
options:
  distribution_id:
    description:
      - The ID of the CloudFront distribution, for example C(E2QWRUHAPOMQZL).
      - Exactly one of O(distribution_id), O(distribution_tenant_id), O(alias) and O(targets) is required.
    type: str
  distribution_tenant_id:
    description:
      - The ID of a distribution tenant of a multi-tenant distribution, for example
        C(dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB). The invalidations reported are the tenant's.
      - Exactly one of O(distribution_id), O(distribution_tenant_id), O(alias) and O(targets) is required.
    type: str
    version_added: 0.1.0
  alias:
    description:
      - Find the distribution by one of its alternate domain names (CNAMEs), for example
        C(www.example.com), or by its CloudFront domain name, for example C(d111111abcdef8.cloudfront.net).
      - Compared whole and without regard to case, paging ListDistributions until the match (CloudFront
        lets no two distributions have the same alternate domain name). A wildcard alias (C(*.example.com))
        matches when given as written, not by a name it covers (C(www.example.com)).
      - When no distribution has it, the distribution tenant that has it as one of its domains
        (GetDistributionTenantByDomain). Fails if neither has it.
      - Exactly one of O(distribution_id), O(alias) and O(targets) is required.
    type: str
  invalidation_id:
    description:
      - Report this invalidation, in RV(invalidation).
      - At most one of O(invalidation_id), O(invalidation_ids) and O(caller_reference) may be given;
        with none of them the module lists the distribution's invalidations.
    type: str
  invalidation_ids:
    description:
      - Report these invalidations of the distribution, in RV(invalidations), in the order given.
      - The gate M(edgeops.cloudfront.cloudfront_invalidation_wait) takes them under the same name.
      - They are read from ListInvalidations pages (newest first), so each carries the summary keys
        only; O(invalidation_id) reports one invalidation with its paths and caller reference.
      - Pages are read while more than one of them is still to find and the last page held some; each
        one left is then read with GetInvalidation, so an unknown ID costs a page and a request,
        however long the history.
    type: list
    elements: str
    aliases: [ids]
  targets:
    description:
      - Invalidations of several distributions and distribution tenants, reported in one flat
        RV(invalidations) list grouped by distribution or tenant in the order first named.
      - Each item names whose invalidations, with exactly one of C(distribution_id),
        C(distribution_tenant_id) or C(alias) (a distribution's alias or C(*.cloudfront.net) name, or a
        tenant's domain), and which, with C(invalidation_ids) (alias C(ids)) or C(invalidation_id) (alias
        C(id)); without them, those in progress (as O(in_progress_only) reads them). The targets of the
        gate M(edgeops.cloudfront.cloudfront_invalidation_wait) are written the same way.
      - An item of an earlier run's RV(invalidations) can be given as it is; its other keys (C(status),
        C(completed), C(create_time), C(caller_reference), C(paths), C(path_count)) say what that run saw
        and are not read. Any other key is refused, naming it.
      - While waiting, the module polls one distribution at a time, the first with invalidations
        in progress, and moves on when it is done, so a poll is one request whatever the number of
        distributions.
      - Mutually exclusive with O(distribution_id), O(distribution_tenant_id), O(alias),
        O(invalidation_id), O(invalidation_ids) and O(caller_reference).
    type: list
    elements: dict
    version_added: 0.1.0
  caller_reference:
    description:
      - Report the invalidation created with this caller reference, in RV(invalidation).
      - ListInvalidations does not return caller references, so the module reads the distribution's
        invalidations newest first with GetInvalidation and stops at the first match, reading at
        most O(max_items) of them.
    type: str
  in_progress_only:
    description:
      - In list mode, report only the distribution's invalidations in progress, newest first, at the cost of
        what is in progress, not of the history. GetDistribution says how many are in progress, and
        ListInvalidations is read only until that many are found (not at all when none is).
      - Not with O(invalidation_id), O(invalidation_ids), O(caller_reference) or O(targets).
        O(max_items) does not apply.
      - Needs the IAM action C(cloudfront:GetDistribution).
      - For a distribution tenant (which says nothing of its invalidations in progress), its invalidations
        are read, newest first, until a page holds a completed one.
    type: bool
    default: false
    version_added: 0.1.0
  max_items:
    description:
      - In list mode, report at most this many invalidations, newest first; V(0) reports all of them.
      - With O(caller_reference), search at most this many invalidations; V(0) searches all of them.
    type: int
    default: 100
  wait:
    description:
      - Wait until the selected invalidations are C(Completed).
      - In list mode, wait for the invalidations that were in progress when the wait began, among those
        reported; invalidations created during the wait do not hold it.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait, at most, counted from the first poll.
      - When the time is up and invalidations are still in progress, the module fails, naming them,
        and still returns the last state it saw.
      - The gate M(edgeops.cloudfront.cloudfront_invalidation_wait) takes its timeout under the same name.
    type: int
    default: 1800
    aliases: [timeout]
  max_poll_interval:
    description:
      - The longest interval between two polls, in seconds, once the wait is well under way.
      - The default polls no more often than the AWS CLI waiter (every 20 seconds) during a long wait;
        jitter only ever shortens an interval, by up to 10%.
      - Backoff after throttling may wait longer than this.
    type: int
    default: 20
notes:
  - Needs the IAM actions C(cloudfront:GetInvalidation) and C(cloudfront:ListInvalidations),
    C(cloudfront:ListDistributions) when O(alias) is used, and C(cloudfront:GetDistribution) with
    O(in_progress_only=true); for distribution tenants, C(cloudfront:GetInvalidationForDistributionTenant)
    and C(cloudfront:ListInvalidationsForDistributionTenant), and C(cloudfront:GetDistributionTenantByDomain)
    to find a tenant by O(alias).
  - A distribution tenant says nothing of its invalidations in progress (as GetDistribution does for a
    distribution); with O(in_progress_only=true), its invalidations are read, newest first, until a page
    holds a completed one.
  - Temporary credentials need their session token. It is read from O(session_token) or
    E(AWS_SESSION_TOKEN), and from E(AWS_SECURITY_TOKEN) (which older AWX controllers inject alone) when
    the access key is the environment's E(AWS_ACCESS_KEY_ID).
  - CloudFront's API is global, in the partition of the credentials; no region needs to be given, but for
    credentials of the China partition give O(region=cn-northwest-1) (or C(cn-north-1)), which sends the
    requests to C(cloudfront.cn-northwest-1.amazonaws.com.cn).
  - The module never changes anything (C(changed) is always V(false)) and supports check mode.
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
- name: Report one invalidation
  edgeops.cloudfront.cloudfront_invalidation_info:
    distribution_id: E2QWRUHAPOMQZL
    invalidation_id: I2J0I21PCUYOIK
  register: result

- name: Wait up to 20 minutes for an invalidation found by the caller reference it was created with
  edgeops.cloudfront.cloudfront_invalidation_info:
    alias: www.example.com
    caller_reference: "release-2026.11.24"
    wait: true
    wait_timeout: 1200
  register: result

- name: Wait for several invalidations of one distribution
  edgeops.cloudfront.cloudfront_invalidation_info:
    distribution_id: E2QWRUHAPOMQZL
    invalidation_ids:
      - I2J0I21PCUYOIK
      - I3KHPMGQTR9P8J
    wait: true

- name: Wait for invalidations of two distributions
  edgeops.cloudfront.cloudfront_invalidation_info:
    targets:
      - distribution_id: E2QWRUHAPOMQZL
        invalidation_ids: [I2J0I21PCUYOIK, I3KHPMGQTR9P8J]
      - distribution_id: E1ABCDEFGHIJKL
        invalidation_id: I9ZYXWVUTSRQPO
    wait: true

- name: Wait for a customer's invalidation, finding its distribution tenant by the customer's domain
  edgeops.cloudfront.cloudfront_invalidation_info:
    alias: shop.customer.example.net
    invalidation_id: I2J0I21PCUYOIK
    wait: true

- name: Report the invalidations in progress of a distribution tenant
  edgeops.cloudfront.cloudfront_invalidation_info:
    distribution_tenant_id: dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB
    in_progress_only: true

- name: List the ten newest invalidations and wait for those in progress
  edgeops.cloudfront.cloudfront_invalidation_info:
    distribution_id: E2QWRUHAPOMQZL
    max_items: 10
    wait: true
  register: result

- name: Connection options for this module and amazon.aws modules alike
  module_defaults:
    group/edgeops.cloudfront.aws:
      profile: deploy
  block:
    - name: Report the distribution's invalidations
      edgeops.cloudfront.cloudfront_invalidation_info:
        alias: d111111abcdef8.cloudfront.net
"""

RETURN = r"""
distribution_id:
  description: The ID of the distribution, also when it was found by O(alias).
  returned: unless O(targets) was given, once the distribution is known (after a timeout too), for a distribution
  type: str
  sample: E2QWRUHAPOMQZL
distribution_tenant_id:
  description: The ID of the distribution tenant, also when it was found by O(alias).
  returned: unless O(targets) was given, once the tenant is known (after a timeout too), for a distribution tenant
  type: str
  sample: dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB
invalidation:
  description: The invalidation selected by O(invalidation_id) or O(caller_reference).
  returned: when O(invalidation_id) or O(caller_reference) was given and the invalidation was read
    (not after a wait in which no poll succeeded)
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
      description: Whether the status is C(Completed) (compared without regard to case).
      returned: always
      type: bool
      sample: false
    create_time:
      description: When the invalidation was created, in ISO 8601 with a UTC offset.
      returned: always
      type: str
      sample: "2026-11-24T12:09:41.123000+00:00"
    caller_reference:
      description: The caller reference the invalidation was created with.
      returned: in RV(invalidation) only
      type: str
      sample: release-2026.11.24
    paths:
      description: The paths invalidated.
      returned: in RV(invalidation) only
      type: list
      elements: str
      sample: ["/index.html", "/assets/*"]
    path_count:
      description: The number of paths invalidated.
      returned: in RV(invalidation) only
      type: int
      sample: 2
invalidations:
  description:
    - The invalidations selected by O(invalidation_ids) or O(targets), in the order given, or in
      list mode the distribution's invalidations, newest first, at most O(max_items).
    - Each carries the summary keys only (no RV(invalidations[].caller_reference),
      RV(invalidations[].paths) or RV(invalidations[].path_count)).
  returned: when neither O(invalidation_id) nor O(caller_reference) was given, and the run read them or
    waited for them (after a timeout too)
  type: list
  elements: dict
  contains: *invalidation
waited:
  description: How many seconds the wait took, from its first poll to its last.
  returned: when O(wait=true) and the wait ended (completed or timed out), not after a failure that ends
    the run at once
  type: float
  sample: 12.481
completed:
  description: Whether every invalidation waited for is C(Completed) (false when no poll succeeded).
  returned: when O(wait=true) and the wait ended (completed or timed out), not after a failure that ends
    the run at once
  type: bool
  sample: true
timed_out:
  description: Whether the wait ended because O(wait_timeout) passed with invalidations still in progress.
  returned: when O(wait=true) and the wait ended (completed or timed out), not after a failure that ends
    the run at once
  type: bool
  sample: false
api_calls:
  description: How many requests the module sent to CloudFront, retries and lookups included.
  returned: always, on failure too (not when the arguments were refused before any request)
  type: int
  sample: 9
error_code:
  description: The AWS error code of the failure.
  returned: on failure, when AWS answered with an error
  type: str
  sample: AccessDenied
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
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.report import (
    Selection,
    report,
    selections_of,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.validation import check_module_params
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import PollSchedule


def main() -> None:
    argument_spec = dict(
        distribution_id=dict(type="str"),
        distribution_tenant_id=dict(type="str"),
        alias=dict(type="str"),
        invalidation_id=dict(type="str"),
        invalidation_ids=dict(type="list", elements="str", aliases=["ids"]),
        caller_reference=dict(type="str"),
        max_items=dict(type="int", default=100),
        in_progress_only=dict(type="bool", default=False),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800, aliases=["timeout"]),
        max_poll_interval=dict(type="int", default=20),
        # each item is checked by validation.check_targets (one rule for the module and the gate):
        # an earlier run's invalidations are targets as they are
        targets=dict(type="list", elements="dict"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[
            ("distribution_id", "distribution_tenant_id", "alias", "targets"),
            ("invalidation_id", "invalidation_ids", "caller_reference", "targets"),
        ],
        required_one_of=[("distribution_id", "distribution_tenant_id", "alias", "targets")],
        supports_check_mode=True,
    )
    params = module.params
    errors = check_module_params(params)
    if errors:
        module.fail_json(msg="; ".join(errors))

    wait_timeout = float(params["wait_timeout"])
    api, counter = module_api(module, budget=wait_timeout if params["wait"] else RETRY_SECONDS)
    try:
        selection: Selection | list[Selection]
        if params["targets"]:
            selection = selections_of(api, params["targets"])
        else:
            selection = Selection(
                owner=owner_of(params, api),
                invalidation_id=params["invalidation_id"],
                invalidation_ids=params["invalidation_ids"],
                caller_reference=params["caller_reference"],
                max_items=params["max_items"],
                in_progress_only=params["in_progress_only"],
            )
        result = report(
            api,
            selection,
            wait=params["wait"],
            wait_timeout=wait_timeout,
            schedule=PollSchedule(max_interval=params["max_poll_interval"]),
        )
    except CloudFrontError as e:
        module.fail_json(msg=e.msg, api_calls=counter.count, **e.facts())

    result.facts["api_calls"] = counter.count
    if result.failure:
        module.fail_json(msg=result.failure, **result.facts)
    module.exit_json(changed=False, **result.facts)


if __name__ == "__main__":
    main()
