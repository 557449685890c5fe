# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's connection: amazon.aws's options read as its modules read them (the environment too,
with the task's on top), one boto3 session for the gate and its clients. No request is sent."""

from __future__ import annotations

import os

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import GateError
from ansible_collections.edgeops.cloudfront.plugins.plugin_utils._cloudfront.connection import (
    GateConnection,
    connection_options,
    environment,
)


@pytest.fixture
def clean_aws(monkeypatch, tmp_path):
    """No AWS variable of the machine's; no shared files."""
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def test_the_tasks_environment_is_there_while_the_gate_runs_and_gone_after(clean_aws, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    with environment({"AWS_PROFILE": "deploy", "AWS_REGION": "us-west-2"}):
        assert (os.environ["AWS_PROFILE"], os.environ["AWS_REGION"]) == ("deploy", "us-west-2")
    assert "AWS_PROFILE" not in os.environ and os.environ["AWS_REGION"] == "eu-west-1"


def test_options_fall_back_to_the_environment_as_amazon_aws_modules_do(clean_aws, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    options = connection_options({"endpoint_url": "http://127.0.0.1:1"})
    assert (options["access_key"], options["secret_key"], options["endpoint_url"]) == (
        "AKIAENV",
        "env-secret",
        "http://127.0.0.1:1",
    )
    assert options["validate_certs"] is True and options["session_token"] is None


def test_the_awx_security_token_goes_with_the_environments_key(clean_aws, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "awx-token")
    assert connection_options({})["session_token"] == "awx-token"


def test_an_option_of_the_wrong_type_is_refused_naming_it(clean_aws):
    with pytest.raises(GateError) as refused:
        connection_options({"validate_certs": "maybe"})
    assert "validate_certs" in refused.value.msg


def test_one_session_for_the_gate_and_clients_from_it_with_the_gates_timeouts(clean_aws):
    options = connection_options(
        {
            "access_key": "AKIAOPT",
            "secret_key": "opt-secret",
            "endpoint_url": "http://127.0.0.1:1",
            "aws_config": {"user_agent_extra": "gate"},
        }
    )
    connection = GateConnection(options)
    first, second = (
        connection.client(connect_timeout=3, read_timeout=6),
        connection.client(connect_timeout=1, read_timeout=2),
    )
    assert connection.clients_made == 2 and connection.region == "us-east-1"  # CloudFront's, when none is given
    assert first.meta.endpoint_url == "http://127.0.0.1:1"
    assert (first.meta.config.connect_timeout, first.meta.config.read_timeout) == (3, 6)
    assert (second.meta.config.connect_timeout, second.meta.config.read_timeout) == (1, 2)
    assert first.meta.config.retries["total_max_attempts"] == 1  # the gate retries, inside its deadline
    assert first.meta.config.user_agent_extra == "gate"  # the user's aws_config, merged as amazon.aws does
    # one session: the credentials are resolved once for both
    assert first._request_signer._credentials is second._request_signer._credentials
    assert first._request_signer._credentials.access_key == "AKIAOPT"


def test_the_region_is_the_one_given_or_the_environments(clean_aws, monkeypatch):
    keys = {"access_key": "A", "secret_key": "s"}
    assert GateConnection(connection_options({**keys, "region": "eu-west-1"})).region == "eu-west-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert GateConnection(connection_options(keys)).region == "ap-south-1"


def test_certificates_are_checked_with_the_ca_bundle_or_not_at_all(clean_aws, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    checked = GateConnection(connection_options({"access_key": "A", "secret_key": "s", "aws_ca_bundle": str(bundle)}))
    assert checked.verify == str(bundle)
    unchecked = GateConnection(connection_options({"access_key": "A", "secret_key": "s", "validate_certs": False}))
    assert unchecked.verify is False


def test_a_profile_that_does_not_exist_fails_naming_it(clean_aws):
    with pytest.raises(GateError) as failed:
        GateConnection(connection_options({"profile": "nowhere"}))
    assert "nowhere" in failed.value.msg


def test_a_profile_and_keys_together_are_refused(clean_aws):
    with pytest.raises(GateError) as refused:
        GateConnection(connection_options({"profile": "deploy", "access_key": "AKIA", "secret_key": "s"}))
    assert "profile and access tokens" in refused.value.msg


def test_the_api_makes_its_clients_when_first_needed_for_the_gates_budget(clean_aws):
    connection = GateConnection(connection_options({"access_key": "A", "secret_key": "s"}))
    api = connection.api(budget=1800)
    assert connection.clients_made == 0
    api.clients.get()
    api.clients.get(remaining=10.0)  # the last seconds of a long gate: a client with short timeouts
    assert connection.clients_made == 2
