# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""TLS options against the local endpoint served over HTTPS, and retries inside a wait."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import statistics
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.edgeops.cloudfront.tests.integration.playbook_runner import (
    CLOCKS,
    accept_test_credentials,
    run_module,
)
from ansible_collections.edgeops.cloudfront.tests.support.local_cloudfront import LocalCloudFront


def self_signed(directory: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "endpoint.crt", directory / "endpoint.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


@pytest.fixture(scope="module")
def https_cloudfront(tmp_path_factory) -> Iterator[LocalCloudFront]:
    tls = self_signed(tmp_path_factory.mktemp("tls"))
    with LocalCloudFront(tls=tls) as server:
        accept_test_credentials(server)
        yield server


@pytest.fixture
def https_dist(https_cloudfront):
    https_cloudfront.reset()
    dist = https_cloudfront.create_distribution()
    return dist, https_cloudfront.create_invalidation(dist["id"], complete_in=0)


def test_ca_bundle_verifies_the_endpoint(https_cloudfront, https_dist, tmp_path):
    dist, inv = https_dist
    assert https_cloudfront.url.startswith("https://")
    args = {"distribution_id": dist["id"], "invalidation_id": inv, "aws_ca_bundle": https_cloudfront.tls[0]}
    result = run_module(https_cloudfront.url, args, tmp_path).result
    assert not result.get("failed"), result
    assert result["invalidation"]["id"] == inv


def test_validate_certs_false_skips_verification(https_cloudfront, https_dist, tmp_path):
    dist, inv = https_dist
    args = {"distribution_id": dist["id"], "invalidation_id": inv, "validate_certs": False}
    result = run_module(https_cloudfront.url, args, tmp_path).result
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"


def test_unverifiable_certificate_fails_at_once_with_what_to_check(https_cloudfront, https_dist, tmp_path):
    dist, inv = https_dist
    args = {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True, "wait_timeout": 600}
    run = run_module(https_cloudfront.url, args, tmp_path)
    assert run.result["failed"] is True
    assert "TLS failed while calling cloudfront:GetInvalidation" in run.result["msg"]
    assert "Check aws_ca_bundle, validate_certs and endpoint_url" in run.result["msg"]
    assert "waited" not in run.result  # not retried until the timeout
    assert "Traceback" not in run.output


@pytest.mark.waits
def test_throttling_during_a_wait_is_retried_at_once_and_slows_it_down(cloudfront, tmp_path):
    """A throttled poll: retried within half a second (a random part of botocore's first window),
    then the wait keeps a pace of twice its interval (3 s, 10 % jitter), not the 1.5 s of its
    schedule: backing off, not hammering."""
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=3600)
    cloudfront.throttle("GetInvalidation", 1)
    args = {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True, "wait_timeout": 14}
    result = run_module(cloudfront.url, args, tmp_path).result
    assert result["timed_out"] is True
    answers = cloudfront.requests("GetInvalidation")
    assert [a["status"] for a in answers[:3]] == [400, 200, 200]
    # from the answers the module waited on to the requests it sent after them (a loaded endpoint
    # answers a while after a request arrives): the retry within 0.5 s, and 0.4 s to deliver both;
    # the next poll no sooner than its pace (CLOCKS: the endpoint's clock against the module's)
    assert answers[1]["time"] - answers[0]["answered"] <= 0.5 + 0.4
    assert answers[2]["time"] - answers[1]["answered"] >= 2.7 - CLOCKS


@pytest.mark.waits
def test_max_poll_interval_caps_the_interval(cloudfront, tmp_path, complete_after_first_poll):
    dist = cloudfront.create_distribution()
    inv = cloudfront.create_invalidation(dist["id"], complete_in=3600)
    done = complete_after_first_poll({inv: 15})
    base = {"distribution_id": dist["id"], "invalidation_id": inv, "wait": True}
    result = run_module(cloudfront.url, {**base, "max_poll_interval": 1}, tmp_path).result
    assert result["invalidation"]["completed"] is True
    times = [a["time"] for a in cloudfront.requests("GetInvalidation")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    # capped at 1 s (jitter shortens it); without the cap it would be 1.5 s, then grow with the
    # time waited (3 s after 15 s). The median, so that a busy machine's slow answer or two do not count.
    assert statistics.median(gaps) < 1.25 and len(times) >= 12 and times[-1] >= done.last


class DroppingProxy:
    """A TCP proxy in front of the endpoint that drops its first ``drops`` connections in the
    middle of the TLS handshake (after the server's first answer, without TLS's own close): the
    client sees "EOF occurred in violation of protocol", as behind a proxy or a NAT gateway that
    drops a connection. The others are relayed whole."""

    def __init__(self, target_port: int, drops: int) -> None:
        self.target_port = target_port
        self.drops = drops
        self.dropped = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            if self.dropped < self.drops:
                self.dropped += 1
                threading.Thread(target=self._drop, args=(client, upstream), daemon=True).start()
                continue
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _drop(client: socket.socket, upstream: socket.socket) -> None:
        with contextlib.suppress(OSError):
            upstream.sendall(client.recv(65536))  # the ClientHello
            client.sendall(upstream.recv(65536))  # the ServerHello and what follows it, then gone
        for end in (client, upstream):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.listener.close()


def test_a_tls_session_that_drops_is_retried(https_cloudfront, https_dist, tmp_path):
    dist, inv = https_dist
    proxy = DroppingProxy(https_cloudfront.port, drops=2)
    try:
        args = {"distribution_id": dist["id"], "invalidation_id": inv, "aws_ca_bundle": https_cloudfront.tls[0]}
        result = run_module(f"https://127.0.0.1:{proxy.port}", args, tmp_path).result
    finally:
        proxy.close()
    assert not result.get("failed"), result
    assert result["invalidation"]["status"] == "Completed"
    # two attempts dropped in the handshake, the third answered
    assert proxy.dropped == 2 and result["api_calls"] == 3
    assert len(https_cloudfront.requests("GetInvalidation")) == 1
