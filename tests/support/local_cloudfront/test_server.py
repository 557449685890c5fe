# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The socket server (server): a quick stop, outages, going down and up on the same port."""

from __future__ import annotations

import http.client
import select
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from local_cloudfront import LocalCloudFront
from local_cloudfront.helpers import IMPATIENT, LONG, SHORT, in_thread, wait_for


def test_stop_is_quick_during_a_stall() -> None:
    with LocalCloudFront(default_delay=LONG) as other:
        other.stall("ListDistributions", 1, LONG)
        stalled, outcome = in_thread(other.client(config=IMPATIENT).list_distributions)
        wait_for(lambda: other.requests("ListDistributions"))
        started = time.monotonic()
        other.stop()
        assert time.monotonic() - started < 2  # not LONG
        stalled.join(timeout=5)
        assert not stalled.is_alive() and outcome  # answered at the stop (or gave up)
        wait_for(lambda: other.requests("ListDistributions")[0]["status"] == 200)


def test_outage_refuses_connections_then_serves_the_same_state_on_the_same_port(
    cf: LocalCloudFront, impatient: Any, dist_id: str
) -> None:
    """A client polling through an outage: answered, refused, answered again. The first request
    after the outage is refused too: the kept-alive connection was closed before outage() returned
    (a request on a connection the endpoint is still closing would meet a reset, ConnectionClosedError)."""

    def poll() -> bool:
        try:
            return bool(impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id)
        except EndpointConnectionError:
            return False

    url = cf.url
    outcomes = [poll(), poll(), poll()]
    cf.outage(0.5)
    started = time.monotonic()
    while len(outcomes) < 500 and (len(outcomes) == 3 or not outcomes[-1]):
        outcomes.append(poll())
        time.sleep(0.02)
    back_after = time.monotonic() - started
    assert (
        outcomes[:4] == [True, True, True, False]
        and outcomes[-1] is True
        and outcomes[4:-1] == [False] * (len(outcomes) - 5)
    )
    assert 0.5 <= back_after < 2
    assert cf.url == url and cf.serving
    assert [e["status"] for e in cf.requests()] == [200] * 4  # the refused requests never arrived


@pytest.mark.parametrize("going", ["outage", "down"])
def test_going_down_closes_idle_connections_at_once_and_answers_one_in_progress_with_close(
    cf: LocalCloudFront, dist_id: str, going: str
) -> None:
    """When outage() or down() returns, an idle kept-alive connection has been shut (its client reads
    the end of it), and a request in progress is still answered, saying "Connection: close"."""
    host, port = cf.url.removeprefix("http://").rsplit(":", 1)
    idle = http.client.HTTPConnection(host, int(port), timeout=5)
    idle.request("GET", "/_local_cloudfront/requests")
    assert idle.getresponse().read() and idle.sock is not None  # answered, kept alive
    patient = cf.client(config=Config(retries={"total_max_attempts": 1}, read_timeout=30))
    cf.stall("GetDistribution", 1, SHORT)
    stalled, outcome = in_thread(lambda: patient.get_distribution(Id=dist_id))
    wait_for(lambda: cf.requests("GetDistribution"))
    cf.outage(LONG) if going == "outage" else cf.down()
    assert select.select([idle.sock], [], [], 0)[0] == [idle.sock] and idle.sock.recv(1) == b""
    stalled.join(timeout=5)
    assert outcome["result"]["ResponseMetadata"]["HTTPHeaders"]["connection"] == "close"
    idle.close()


def test_down_and_up(cf: LocalCloudFront, impatient: Any, dist_id: str) -> None:
    cf.down()
    with pytest.raises(EndpointConnectionError):
        impatient.get_distribution(Id=dist_id)
    cf.up()
    assert impatient.get_distribution(Id=dist_id)["Distribution"]["Id"] == dist_id
