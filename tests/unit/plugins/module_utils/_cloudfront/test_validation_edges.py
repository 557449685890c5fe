# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The limits of the input checks, exactly: the longest value accepted, the shortest refused
(written against the mutants that `make mutate` found alive, docs/testing.md)."""

from __future__ import annotations

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.validation import (
    check_alias,
    check_caller_reference,
    check_id,
    check_in_progress_only,
    check_targets,
    check_tenant_id,
)


def domain_of_length(length: int) -> str:
    """A valid domain name of ``length`` characters: labels of 50 letters, then one to fill."""
    labels: list[str] = []
    while sum(len(label) + 1 for label in labels) + 50 < length:
        labels.append("a" * 49)
    labels.append("b" * (length - sum(len(label) + 1 for label in labels)))
    name = ".".join(labels)
    assert len(name) == length
    return name


def test_a_cloudfront_id_of_64_characters_is_accepted_and_65_are_refused_by_length():
    assert check_id("distribution_id", "E" * 64) is None
    assert check_id("distribution_id", "E" * 65) == (
        "distribution_id is 65 characters long: CloudFront IDs are at most 64"
    )


def test_a_tenant_id_of_67_characters_is_accepted_and_68_are_refused():
    assert check_tenant_id("distribution_tenant_id", "dt_" + "a" * 64) is None
    assert "is not a CloudFront distribution tenant ID" in (
        check_tenant_id("distribution_tenant_id", "dt_" + "a" * 65) or ""
    )


def test_a_domain_name_of_253_characters_is_accepted_and_254_are_refused():
    assert check_alias("alias", domain_of_length(253)) is None
    assert "is not a domain name" in (check_alias("alias", domain_of_length(254)) or "")


def test_a_caller_reference_of_128_characters_is_accepted_and_129_are_refused():
    assert check_caller_reference("caller_reference", "r" * 128) is None
    assert check_caller_reference("caller_reference", "r" * 129) == (
        "caller_reference is 129 characters long: CloudFront caller references are at most 128"
    )


def test_in_progress_only_alone_is_fine_and_names_what_it_cannot_go_with():
    assert check_in_progress_only({"in_progress_only": True}) is None
    assert check_in_progress_only({"in_progress_only": True, "invalidation_id": "I1", "caller_reference": "r"}) == (
        "in_progress_only lists a distribution's invalidations in progress: not with invalidation_id, caller_reference"
    )


@pytest.mark.parametrize(
    "owner, kind",
    [("distribution_id", "distribution E1"), ("distribution_tenant_id", "distribution tenant dt_x1")],
)
def test_an_invalidation_named_twice_in_targets_is_named_with_its_owner(owner, kind):
    value = "E1" if owner == "distribution_id" else "dt_x1"
    targets = [{owner: value, "invalidation_id": "I1"}, {owner: value, "invalidation_ids": ["I2", "I1"]}]
    errors = [e for e in check_targets(targets) if e]
    assert errors == [f"targets name invalidation I1 of {kind} more than once"]
