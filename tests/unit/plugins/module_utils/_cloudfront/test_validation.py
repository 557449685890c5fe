# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The input checks: every option named, the targets' one rule, and the limits exactly (the longest
value accepted, the shortest refused)."""

from __future__ import annotations

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.validation import (
    check_alias,
    check_caller_reference,
    check_id,
    check_in_progress_only,
    check_module_params,
    check_targets,
    check_tenant_id,
)

GOOD = {"distribution_id": "E2QWRUHAPOMQZL", "max_items": 100, "wait_timeout": 1800, "max_poll_interval": 20}


@pytest.mark.parametrize(
    "params",
    [
        GOOD,
        {**GOOD, "invalidation_id": "I2J0I21PCUYOIK"},
        {**GOOD, "invalidation_ids": ["I1", "I2"]},
        {**GOOD, "caller_reference": "release-1"},
        {"alias": "www.example.com"},
        {"alias": "d111111abcdef8.cloudfront.net."},
        {"alias": "*.example.com"},
        {**GOOD, "max_items": 0},
        {**GOOD, "wait": True},
        {
            "targets": [
                {"distribution_id": "E1", "invalidation_id": "I1"},
                {"distribution_id": "E2", "invalidation_ids": ["I1"]},
                {"distribution_tenant_id": "dt_x1", "ids": ["I1"]},
                {"alias": "www.example.com"},
                # an item of an earlier run's invalidations, as it is
                {"distribution_id": "E3", "id": "I1", "status": "InProgress", "completed": False, "create_time": "t"},
            ]
        },
    ],
)
def test_good_params_pass(params):
    assert check_module_params(params) == []


@pytest.mark.parametrize(
    "params, option, words",
    [
        ({"distribution_id": "e2qwruhapomqzl"}, "distribution_id", "upper-case letters and digits"),
        ({"distribution_id": "E2QW RUHA"}, "distribution_id", "not a CloudFront ID"),
        ({"distribution_id": ""}, "distribution_id", "must not be empty"),
        ({"distribution_id": "   "}, "distribution_id", "must not be empty"),
        ({"distribution_id": "E" * 65}, "distribution_id", "65 characters long"),
        ({"distribution_id": "É2QWRUHAPOMQZL"}, "distribution_id", "not a CloudFront ID"),
        ({"distribution_id": "E2QW-RUHA"}, "distribution_id", "not a CloudFront ID"),
        ({**GOOD, "invalidation_id": "i2j0"}, "invalidation_id", "not a CloudFront ID"),
        ({**GOOD, "invalidation_id": ""}, "invalidation_id", "must not be empty"),
        ({**GOOD, "invalidation_ids": []}, "invalidation_ids", "at least one"),
        ({**GOOD, "invalidation_ids": ["I1", "bad id"]}, "invalidation_ids[1]", "not a CloudFront ID"),
        ({**GOOD, "invalidation_ids": ["I1", "I1"]}, "invalidation_ids", "more than once"),
        ({**GOOD, "caller_reference": ""}, "caller_reference", "must not be empty"),
        ({**GOOD, "caller_reference": "x" * 129}, "caller_reference", "at most 128"),
        ({"alias": ""}, "alias", "must not be empty"),
        ({"alias": "www example.com"}, "alias", "not a domain name"),
        ({"alias": "https://www.example.com/"}, "alias", "not a domain name"),
        ({**GOOD, "max_items": -1}, "max_items", "at least 0"),
        ({**GOOD, "wait_timeout": 0}, "wait_timeout", "at least 1"),
        ({**GOOD, "wait_timeout": -5}, "wait_timeout", "at least 1"),
        ({**GOOD, "max_poll_interval": 0}, "max_poll_interval", "at least 1"),
        ({"targets": []}, "targets", "at least one"),
        ({"targets": [{"distribution_id": "e1", "invalidation_id": "I1"}]}, "targets[0].distribution_id", "not a"),
        (
            {"targets": [{"distribution_id": "E1", "invalidation_ids": ["I1", "i2"]}]},
            "targets[0].invalidation_ids[1]",
            "not a",
        ),
        (
            {
                "targets": [
                    {"distribution_id": "E1", "invalidation_id": "I1"},
                    {"distribution_id": "E1", "invalidation_ids": ["I1"]},
                ]
            },
            "targets",
            "more than once",
        ),
        (
            {"targets": [{"distribution_id": "E1", "invalidation": "I1"}]},
            "targets[0]",
            "unsupported key(s) invalidation",
        ),
        ({"targets": [{"invalidation_id": "I1"}]}, "targets[0]", "give exactly one of"),
        ({"targets": [{"distribution_id": "E1", "id": "I1", "ids": ["I2"]}]}, "targets[0]", "under one key"),
        ({"targets": [{"distribution_id": "E1", "ids": "I1"}]}, "targets[0].ids", "must be a list"),
        ({"targets": ["E1"]}, "targets[0]", "must be a mapping"),
        ({"targets": "E1"}, "targets", "must be a list"),
    ],
)
def test_bad_params_are_named(params, option, words):
    errors = check_module_params(params)
    assert len(errors) == 1
    assert errors[0].startswith(option)
    assert words in errors[0]


# --- the limits, exactly ----------------------------------------------------------------------


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
    errors = check_targets("targets", targets)
    assert errors == [f"targets name invalidation I1 of {kind} more than once"]


def test_every_bad_target_is_named_not_only_the_first():
    targets = [{"distribution_id": "E1", "invalidations": ["I1"]}, {"alias": "www.example.com"}, {"id": "I1"}]
    assert check_targets("targets", targets) == [
        "targets[0] has unsupported key(s) invalidations: a target takes one of distribution_id,"
        " distribution_tenant_id, alias, and invalidation_ids or ids",
        "targets[2]: give exactly one of distribution_id, distribution_tenant_id, alias",
    ]
