# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The input checks: every option named, the targets' one rule, and the limits exactly (the longest
value accepted, the shortest refused)."""

from __future__ import annotations

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.validation import (
    check_alias,
    check_all_tenants,
    check_caller_reference,
    check_create_params,
    check_id,
    check_in_progress_only,
    check_module_params,
    check_path,
    check_paths,
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


# --- cloudfront_invalidation: paths, caller references, all_tenants ----------------------------------

GOOD_CREATE = {
    "distribution_id": "E2QWRUHAPOMQZL",
    "paths": ["/index.html"],
    "wait_timeout": 1800,
    "headroom_timeout": 600,
}
PATH_EXPECTED = "paths[1] must be a file path (/index.html), a wildcard (/assets/*) or a cache tag (#product-42)"


@pytest.mark.parametrize(
    "path",
    ["/index.html", "/", "/*", "/assets/*", "/a b.html", "/caf\u00e9", "#product-42", "#" + "t" * 256, "#a b"],
)
def test_good_paths_pass(path):
    assert check_path("paths[1]", path) is None
    assert check_paths("paths", ["/x", path]) is None


@pytest.mark.parametrize(
    "path, error",
    [
        (None, PATH_EXPECTED),
        (42, PATH_EXPECTED),
        ("", PATH_EXPECTED),
        ("   ", PATH_EXPECTED),
        (" /a", "paths[1] ' /a' has spaces around it"),
        ("/a\n", "paths[1] '/a\\n' has spaces around it"),
        ("#", "paths[1] '#' names no cache tag"),
        ("#tag*", "paths[1] '#tag*' is a cache tag with a wildcard: cache tags are matched whole"),
        ("#" + "t" * 257, "paths[1] is a cache tag of 257 characters: at most 256"),
        (
            "index.html",
            "paths[1] 'index.html' must start with / (a file path or a wildcard (/index.html?)) or # (a cache tag)",
        ),
        (
            "assets/*",
            "paths[1] 'assets/*' must start with / (a file path or a wildcard (/assets/*?)) or # (a cache tag)",
        ),
        # the suggestion only where it would be valid: "*" meant "/*", not "/"
        ("*", "paths[1] '*' must start with / (a file path or a wildcard (/*?)) or # (a cache tag)"),
        ("*/assets/*", "paths[1] '*/assets/*' must start with / (a file path or a wildcard) or # (a cache tag)"),
        ("/a*/b", "paths[1] '/a*/b' has a * that is not its last character: a wildcard must end the path"),
        ("/a**", "paths[1] '/a**' has a * that is not its last character: a wildcard must end the path"),
    ],
)
def test_every_bad_path_is_named_by_its_index(path, error):
    assert check_path("paths[1]", path) == error
    assert check_paths("paths", ["/ok", path]) == error


@pytest.mark.parametrize(
    "paths, error",
    [
        ("/index.html", "paths must be a list of paths"),
        ({"/a": 1}, "paths must be a list of paths"),
        (42, "paths must be a list of paths"),
        ([], "paths must list at least one path"),
    ],
)
def test_paths_must_be_a_list_of_at_least_one(paths, error):
    assert check_paths("paths", paths) == error


def test_no_paths_is_not_checked_here():
    assert check_paths("paths", None) is None


def test_3000_paths_are_accepted_and_3001_refused_repeats_not_counted():
    paths = [f"/p{i}" for i in range(3000)]
    assert check_paths("paths", paths) is None
    assert check_paths("paths", [*paths, "/p0", "/p1"]) is None
    assert check_paths("paths", [*paths, "#tag"]) == (
        "paths lists 3001 paths: CloudFront takes at most 3,000 in one invalidation (and in progress per"
        " distribution); split them"
    )


def test_15_wildcards_are_accepted_and_16_refused_naming_some():
    wildcards = [f"/w{i:02}/*" for i in range(15)]
    assert check_paths("paths", [*wildcards, *wildcards, "/a", "#t"]) is None
    assert check_paths("paths", [*wildcards, "/w15*"]) == (
        "paths lists 16 wildcard paths (/w00/*, /w01/*, /w02/*, ...): CloudFront lets at most 15 be in progress"
        " per distribution; use fewer, wider wildcards"
    )


@pytest.mark.parametrize("value", ["a\x00b", "a\tb", "line\n", "a\x1fb", "del\x7f"])
def test_a_caller_reference_with_a_control_character_is_refused(value):
    assert check_caller_reference("caller_reference", value) == (
        f"caller_reference {value!r} contains a control character, which CloudFront refuses in a caller reference"
    )


@pytest.mark.parametrize("value", ["release 42", "caf\u00e9-~!", " x"])
def test_a_caller_reference_with_printable_characters_passes(value):
    assert check_caller_reference("caller_reference", value) is None


@pytest.mark.parametrize(
    "params, error",
    [
        ({"all_tenants": False, "alias": "www.example.com"}, None),
        ({"all_tenants": True, "distribution_id": "E1"}, None),
        (
            {"all_tenants": True},
            "all_tenants invalidates every tenant of a multi-tenant distribution: give its distribution_id",
        ),
        (
            {"all_tenants": True, "distribution_tenant_id": "dt_x1"},
            "all_tenants invalidates every tenant of a multi-tenant distribution: give its distribution_id,"
            " not distribution_tenant_id",
        ),
        (
            {"all_tenants": True, "distribution_tenant_id": "dt_x1", "alias": "www.example.com"},
            "all_tenants invalidates every tenant of a multi-tenant distribution: give its distribution_id,"
            " not distribution_tenant_id or alias",
        ),
    ],
)
def test_all_tenants_needs_the_distribution_id(params, error):
    assert check_all_tenants(params) == error


@pytest.mark.parametrize(
    "params",
    [
        GOOD_CREATE,
        {**GOOD_CREATE, "headroom_timeout": 0},
        {**GOOD_CREATE, "all_tenants": True, "caller_reference": "release-1"},
        {"alias": "www.example.com", "paths": ["/*"]},
        {"distribution_tenant_id": "dt_x1", "paths": ["#product-42"], "max_poll_interval": 1},
    ],
)
def test_good_create_params_pass(params):
    assert check_create_params(params) == []


def test_every_error_of_the_create_params_is_named():
    params = {
        "alias": "www example.com",
        "paths": ["/a", "b"],
        "caller_reference": "a\tb",
        "wait_timeout": 0,
        "max_poll_interval": 0,
        "headroom_timeout": -1,
        "all_tenants": True,
    }
    errors = check_create_params(params)
    assert [error.split(" ")[0].rstrip(":") for error in errors] == [
        "alias",
        "paths[1]",
        "caller_reference",
        "wait_timeout",
        "max_poll_interval",
        "headroom_timeout",
        "all_tenants",
    ]
    assert errors[5] == "headroom_timeout must be at least 0, got -1"
    bad_ids = check_create_params({"distribution_id": "e1", "distribution_tenant_id": "E1", "paths": ["/a"]})
    assert [error.split(" ")[0] for error in bad_ids] == ["distribution_id", "distribution_tenant_id"]
