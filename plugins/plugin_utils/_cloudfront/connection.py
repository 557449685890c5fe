# -*- coding: utf-8 -*-

# Copyright: Contributors to the edgeops.cloudfront collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The gate's connection to CloudFront, on the controller, for the whole gate.

The gate runs in its action plugin's process from start to verdict, as amazon.aws's lookup and
inventory plugins do (``plugin_utils``): its connection options are amazon.aws's, read as its
modules read them (the task's arguments and ``module_defaults``, then the ``AWS_*`` environment of
the job, with the task's ``environment:`` on top, as a module run would see it), and made into one
boto3 session. The credentials are resolved once for the gate (one ``sts:AssumeRole`` with a role
profile), and its clients, made from that session when first needed, keep their connections alive.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Mapping

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:  # said when the gate starts: boto3 and botocore are needed on the controller
    boto3 = None  # type: ignore[assignment]

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    _aws_connection_info,
    _get_user_agent_string,
    _merge_botocore_config,
)
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleBotocoreError
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import (
    DEFAULT_REGION,
    Clients,
    CloudFrontApi,
    credential_hint,
    use_security_token,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.gate import GateError

if TYPE_CHECKING:
    from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import CloudFrontClient


@contextmanager
def environment(task_environment: Mapping[str, str]) -> Iterator[None]:
    """The process's environment with the task's ``environment:`` on top, while the gate runs: what a
    module run would have had (AWS_PROFILE, AWS_CA_BUNDLE, AWS_ENDPOINT_URL_CLOUDFRONT...). Restored
    after (the gate's process is an ansible-core worker of its own, for this task)."""
    saved = {key: os.environ.get(key) for key in task_environment}
    os.environ.update({key: str(value) for key, value in task_environment.items()})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def connection_options(args: Mapping[str, Any]) -> dict[str, Any]:
    """amazon.aws's connection options from the task's arguments, with their defaults and the
    environment variables its modules fall back to (read now: inside :func:`environment`), and
    AWX's ``AWS_SECURITY_TOKEN`` where amazon.aws 10 would not read it (api.use_security_token)."""
    checked = ArgumentSpecValidator(aws_argument_spec()).validate(dict(args))
    if checked.error_messages:
        raise GateError("; ".join(checked.error_messages))
    params: dict[str, Any] = checked.validated_parameters
    use_security_token(params)
    return params


class GateConnection:
    """One boto3 session for the gate, from amazon.aws's connection options, and its clients."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        if boto3 is None:
            raise GateError("The CloudFront gate needs the Python libraries boto3 and botocore on the controller")
        self.options = dict(options)
        try:
            region, self.endpoint_url, params = _aws_connection_info(self.options)
        except AnsibleBotocoreError as e:  # a profile and keys given together
            raise GateError(f"The AWS connection options do not go together: {e.message}") from e
        self.verify = params.pop("verify", None)
        self.config = params.pop("aws_config", None)
        try:
            self.session = boto3.session.Session(**params)
        except botocore.exceptions.BotoCoreError as e:  # a profile that does not exist
            raise GateError(f"Could not set up the AWS session for the CloudFront gate: {e}") from e
        self.region = region or self.session.region_name or DEFAULT_REGION
        self.clients_made = 0

    def client(self, connect_timeout: float, read_timeout: float) -> CloudFrontClient:
        """A CloudFront client of the gate's session, with these timeouts and botocore's retries off
        (the gate retries, inside its deadline)."""
        config = botocore.config.Config(
            user_agent=_get_user_agent_string(),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": 1},
        )
        config = _merge_botocore_config(config, self.config)
        self.clients_made += 1
        client: CloudFrontClient = self.session.client(
            "cloudfront", region_name=self.region, endpoint_url=self.endpoint_url, verify=self.verify, config=config
        )
        return client

    def api(self, budget: float) -> CloudFrontApi:
        """The gate's API object: its clients made from this session when first needed (one with
        timeouts that fit ``budget``, one with short ones for the last seconds of a long gate)."""
        clients = Clients(self.client, budget=budget)
        return CloudFrontApi(clients, hint=credential_hint(self.options))
