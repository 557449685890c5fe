# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module refuses bad input before it creates a client or calls CloudFront."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.edgeops.cloudfront.plugins.modules import cloudfront_invalidation_info as module_under_test


@pytest.fixture
def no_aws(monkeypatch):
    def refuse(_module):
        raise AssertionError("the module tried to create a CloudFront client")

    monkeypatch.setattr(module_under_test, "connect", refuse)


def run_module(capsys, args):
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        module_under_test.main()
    assert exit_info.value.code == 1
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "args, words",
    [
        ({}, "one of the following is required: distribution_id, distribution_tenant_id, alias"),
        (
            {"distribution_id": "E1", "alias": "www.example.com"},
            "mutually exclusive: distribution_id|distribution_tenant_id|alias",
        ),
        ({"distribution_tenant_id": "E1"}, "distribution_tenant_id 'E1' is not a CloudFront distribution tenant ID"),
        ({"distribution_id": "dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB"}, "is the ID of a distribution tenant"),
        (
            {"distribution_id": "E1", "invalidation_id": "I1", "caller_reference": "r"},
            "mutually exclusive: invalidation_id|invalidation_ids|caller_reference",
        ),
        ({"distribution_id": "e1"}, "distribution_id 'e1' is not a CloudFront ID"),
        ({"distribution_id": ""}, "distribution_id must not be empty"),
        ({"distribution_id": "E1", "invalidation_ids": ["I1", "i 2"]}, "invalidation_ids[1]"),
        ({"distribution_id": "E1", "wait_timeout": 0}, "wait_timeout must be at least 1"),
        ({"distribution_id": "E1", "wait_timeout": "soon"}, "wait_timeout"),
        ({"distribution_id": "E1", "colour": "blue"}, "Unsupported parameters"),
    ],
)
def test_bad_input_fails_before_any_client(capsys, no_aws, args, words):
    result = run_module(capsys, args)
    assert result["failed"] is True
    assert words in result["msg"]
    assert "Traceback" not in result["msg"] and "exception" not in result


def test_several_errors_are_reported_together(capsys, no_aws):
    result = run_module(capsys, {"distribution_id": "bad", "max_items": -1})
    assert "distribution_id 'bad'" in result["msg"] and "max_items must be at least 0" in result["msg"]
