# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.validation import check_module_params

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
        {**GOOD, "wait": True, "wait_slice": 50},
        {
            "targets": [
                {"distribution_id": "E1", "invalidation_id": "I1"},
                {"distribution_id": "E2", "invalidation_ids": ["I1"]},
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
        ({**GOOD, "wait": True, "wait_slice": 0}, "wait_slice", "at least 1"),
        ({**GOOD, "wait_slice": 50}, "wait_slice", "needs wait=true"),
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
    ],
)
def test_bad_params_are_named(params, option, words):
    errors = check_module_params(params)
    assert len(errors) == 1
    assert errors[0].startswith(option)
    assert words in errors[0]
