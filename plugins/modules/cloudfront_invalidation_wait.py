#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/cloudfront_invalidation_wait.py),
# on the controller; this file documents it.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudfront_invalidation_wait
version_added: 0.1.0
short_description: Hold a play until CloudFront invalidations are completed, showing progress
description:
  - The deployment gate of P(edgeops.cloudfront.wait_for_invalidation#role). It finds the invalidations
    to wait for, then waits until every one of them is C(Completed) or O(wait_timeout) has passed,
    printing a progress line in the job output at once and at least every O(progress_interval) seconds.
  - It is one task and one process however long it waits, on the controller. It asks CloudFront itself,
    with one AWS session for the whole gate (credentials resolved once, one C(sts:AssumeRole) with a role
    profile) and clients that keep their connections alive, on the poll schedule of
    M(edgeops.cloudfront.cloudfront_invalidation_info)'s wait; each poll costs its request, and
    O(progress_interval) only sets how often the output says where things stand.
  - It decides from what its own polls saw. An invalidation counts as completed only once a poll
    said so; a poll that failed (throttling, say) changes nothing.
  - Every ending returns the same keys (RV(completed), RV(timed_out), RV(elapsed),
    RV(invalidations), RV(msg)), whether a completion, a timeout (which fails the task unless
    O(fail_on_timeout=false)), or a failure (which fails the task, RV(msg) naming the distribution,
    invalidation or option concerned).
  - Checks every input before it asks CloudFront anything, with the rules of
    M(edgeops.cloudfront.cloudfront_invalidation_info), with the same option names for the same ideas
    (O(invalidation_ids), O(wait_timeout), O(targets)), the same rules for IDs and targets.
  - Distribution tenants of multi-tenant distributions too, by ID (O(distribution_tenant_id)) or by one
    of their domains (O(alias)), alone or in O(targets) beside distributions.
  - Give exactly one of O(distribution_id), O(distribution_tenant_id), O(alias) and O(targets).
  - Takes its own options and the AWS connection options of amazon.aws modules (below), from the task or
    from C(module_defaults), and refuses any other (a misspelled option, or an option of other modules
    such as C(wait) in C(module_defaults) for the group), naming it, before any request.
  - The connection options, the C(AWS_*) environment variables (AWX's credential injects them;
    C(AWS_SECURITY_TOKEN) is read too) and the task's C(environment) are read as a module run would read
    them.
  - Prints a line at its start, saying what it looks up, and one per O(progress_interval) while the
    lookup lasts (throttling can stretch it); throttling that lasts to O(wait_timeout) is a timeout, not
    an error.
  - Runs once per play only where the play's strategy honours C(run_once). In a play of several hosts
    under the C(free) or C(host_pinned) strategy it refuses to start, with a message.
  - Stops when the job that started it is gone, and makes no request after that. An AWX cancel or job
    timeout kills the process group of C(ansible-playbook), which does not reach ansible-core's workers.
author:
  - edgeops.cloudfront maintainers (@edgeops)
options:
  distribution_id:
    description: The ID of the distribution, for example C(E2QWRUHAPOMQZL).
    type: str
  distribution_tenant_id:
    description: The ID of a distribution tenant, for example C(dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB).
    type: str
  alias:
    description:
      - The distribution's alternate domain name (CNAME) or its C(*.cloudfront.net) domain name, or else one
        of a distribution tenant's domains.
    type: str
  invalidation_ids:
    description:
      - The invalidations of that distribution to wait for.
      - Empty, those of the distribution that are in progress when the task starts; invalidations
        created while it waits do not hold it.
    type: list
    elements: str
    default: []
    aliases: [ids]
  paths:
    description:
      - The paths to invalidate ("create and hold"), as M(edgeops.cloudfront.cloudfront_invalidation) takes
        them (file paths, wildcards, cache tags; checked by its rules before any request). The task creates
        the invalidation first, then waits for exactly it.
      - Not with O(invalidation_ids). When CloudFront answers C(TooManyInvalidationsInProgress), room is waited
        for within O(wait_timeout).
      - The result's C(changed) is V(true) when the task created an invalidation. In check mode nothing is
        created, and an earlier invalidation with O(caller_reference) and these paths is waited for, as a
        run would.
    type: list
    elements: str
    version_added: 0.1.0
  caller_reference:
    description:
      - The caller reference of the invalidation created for O(paths), and for each target with C(paths) and no
        C(caller_reference) of its own. A re-run with the same reference and paths creates nothing and waits
        for the earlier invalidation.
      - Not given, one is made for the task's run.
    type: str
    version_added: 0.1.0
  targets:
    description:
      - Several distributions and tenants, instead of O(distribution_id), O(distribution_tenant_id),
        O(alias) and O(invalidation_ids).
      - Each target names whose invalidations, with exactly one of C(distribution_id),
        C(distribution_tenant_id) or C(alias), and which, with C(invalidation_ids) (alias C(ids)) or
        C(invalidation_id) (alias C(id)), or C(paths) (and C(caller_reference)) for an invalidation the task
        creates first; with none of them, those in progress when the task starts. The C(paths) of a target
        with IDs are not read (an earlier result's).
      - An item of M(edgeops.cloudfront.cloudfront_invalidation_info)'s
        RV(edgeops.cloudfront.cloudfront_invalidation_info#module:invalidations) can be given as it is.
        Any other key is refused, naming it (the info module's rule for its targets).
    type: list
    elements: raw
  wait_timeout:
    description: Seconds the whole task may wait, counted from its start.
    type: int
    default: 1800
    aliases: [timeout]
  progress_interval:
    description:
      - Seconds between two progress lines, at most. A line also comes as soon as more invalidations
        are seen completed.
      - Any value from 1 costs the same requests to CloudFront.
    type: int
    default: 50
  fail_on_timeout:
    description:
      - Fail when O(wait_timeout) passes with invalidations still in progress, naming them.
      - V(false) returns RV(completed=false) and a warning instead, and the play goes on.
    type: bool
    default: true
  option_prefix:
    description:
      - How messages name the options, for a role that passes its own variables on; the
        P(edgeops.cloudfront.wait_for_invalidation#role) role sets V(wait_for_invalidation_), so that
        its messages name its variables (C(wait_for_invalidation_timeout); its variables are the prefix
        and the option's short name, C(ids) and C(timeout) for O(invalidation_ids) and O(wait_timeout)).
    type: str
    default: ""
notes:
  - An action plugin that runs on the controller, in the process of its task, whatever the task's
    connection, interpreter or C(become); it needs boto3 and botocore there. The role delegates it to
    C(localhost) and runs it once per play.
  - The AWS connection options reach the gate as given, and from C(module_defaults) of
    C(group/edgeops.cloudfront.aws) or of this action.
  - Needs the IAM actions C(cloudfront:GetInvalidation) and C(cloudfront:ListInvalidations),
    C(cloudfront:GetDistribution) for a distribution given no IDs, and C(cloudfront:ListDistributions)
    when a distribution is given by alias; for distribution tenants, C(cloudfront:GetInvalidationForDistributionTenant)
    and C(cloudfront:ListInvalidationsForDistributionTenant), and C(cloudfront:GetDistributionTenantByDomain)
    to find one by its domain. With O(paths), those of M(edgeops.cloudfront.cloudfront_invalidation) too
    (C(cloudfront:CreateInvalidation), or C(cloudfront:CreateInvalidationForDistributionTenant)).
  - Supports check mode (it creates nothing, and reads as a run would).
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
- name: Hold the play until the release's invalidation is completed, at most 30 minutes
  edgeops.cloudfront.cloudfront_invalidation_wait:
    distribution_id: E2QWRUHAPOMQZL
    invalidation_ids: [I2J0I21PCUYOIK]
    wait_timeout: 1800
  delegate_to: localhost
  run_once: true

- name: Wait for whatever two sites and a customer have in progress, reporting instead of failing at the timeout
  edgeops.cloudfront.cloudfront_invalidation_wait:
    targets:
      - alias: www.example.com
      - distribution_id: E1ABCDEFGHIJKL
        invalidation_ids: [I9ZYXWVUTSRQPO]
      - alias: shop.customer.example.net        # a distribution tenant's domain
      - distribution_tenant_id: dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB
    wait_timeout: 600
    progress_interval: 30
    fail_on_timeout: false
  delegate_to: localhost
  run_once: true
  register: gate
"""

RETURN = r"""
completed:
  description: Whether every invalidation waited for is C(Completed).
  returned: always
  type: bool
  sample: true
timed_out:
  description: Whether the wait ended because O(wait_timeout) passed with invalidations still in progress.
  returned: always
  type: bool
  sample: false
elapsed:
  description: Seconds since the task started, to a tenth of a second.
  returned: always
  type: float
  sample: 312.4
invalidations:
  description:
    - Each invalidation waited for, as the last poll that saw it reported it, in the order found.
    - Empty when the task failed before it found any.
  returned: always
  type: list
  elements: dict
  contains:
    distribution_id:
      description: The ID of the distribution.
      type: str
      returned: for an invalidation of a distribution
      sample: E2QWRUHAPOMQZL
    distribution_tenant_id:
      description: The ID of the distribution tenant.
      type: str
      returned: for an invalidation of a distribution tenant
      sample: dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB
    id:
      description: The ID of the invalidation.
      type: str
      returned: always
      sample: I2J0I21PCUYOIK
    status:
      description: The status exactly as CloudFront sent it.
      type: str
      returned: always
      sample: Completed
    completed:
      description: Whether the status is C(Completed).
      type: bool
      returned: always
      sample: true
msg:
  description: How the wait ended; on failure, what failed, naming the distribution, invalidation or option.
  returned: always
  type: str
  sample: 1 of 1 CloudFront invalidation(s) completed after 312.4s
error_code:
  description: The AWS error code of the failure, when AWS answered with one.
  returned: when an AWS error ended the wait
  type: str
  sample: AccessDenied
"""
