# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Creating invalidations (create.py, and the calls of api.py it makes): a re-run told from a new
create by the server's clock, the wait for headroom, the derived references of tenants, and the
errors said in the user's terms. A stub client that answers like CloudFront on a fake clock: no
network, no real sleeps."""

from __future__ import annotations

import datetime
import email.utils
import math
import time
from typing import Any

import botocore.exceptions as bx
import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.api import CloudFrontApi, server_time
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.create import (
    CLOCK_SLACK,
    Creator,
    batch_paths,
    derived_reference,
    describe_batch,
    generated_reference,
    is_new,
    reused_reference_error,
)
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.errors import CloudFrontError
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.results import Owner
from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront.waiter import PollSchedule
from ansible_collections.edgeops.cloudfront.tests.support.fake_clock import FakeClock
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.fakes import (
    client_error,
    fresh,
)
from ansible_collections.edgeops.cloudfront.tests.unit.plugins.module_utils._cloudfront.test_api import (
    StubClient,
    api_of,
)

E1 = Owner("E1")
E9 = Owner("E9")  # a multi-tenant distribution
DT_A = Owner("dt_a1", tenant=True)
DT_B = Owner("dt_b2", tenant=True)
# The server's clock (seconds since the epoch) when the fake clock reads 0: a whole second.
WALL0 = 1_700_000_000.0
NEVER = math.inf
# Polls every 5 s exactly: the arithmetic of the waits stays whole.
EVERY_5S = PollSchedule(min_interval=5.0, max_interval=5.0, growth=0.0, jitter=0.0)


def at(wall: float) -> datetime.datetime:
    """A CreateTime as botocore gives it: an aware datetime."""
    return datetime.datetime.fromtimestamp(wall, datetime.timezone.utc)


def iso(wall: float) -> str:
    return at(wall).isoformat()


def refusal(code: str, message: str = "", status: int = 400, request_id: str | None = None) -> bx.ClientError:
    """A refused CreateInvalidation, as botocore raises it (its code built at run time, as botocore parses
    it: an ``is`` for ``==`` would not match)."""
    error = client_error(fresh(code), status, message, "CreateInvalidation")
    if request_id:
        error.response["ResponseMetadata"]["RequestId"] = request_id
    return error


class CreateStub(StubClient):
    """CloudFront's invalidations (of distributions and tenants), creates, distributions and tenants,
    on a fake clock.

    An invalidation is a dict: ``Id``, ``ref``, ``paths``, ``created`` (the server's clock),
    ``completes_at`` (a time of the fake clock; Completed from then on). The creates behave as
    CloudFront's: a caller reference used with the same paths answers the earlier invalidation; with
    other paths ``InvalidationBatchAlreadyExists``; ``TooManyInvalidationsInProgress`` while
    ``capacity`` invalidations are in progress. A create takes ``before`` seconds to make the
    invalidation and ``after`` more to answer, with the server's ``Date`` (to the second, rounded
    down) unless ``date`` is False. ``lost_answers``: creates that make their invalidation and time
    out before their answer arrives.
    """

    def __init__(self, clock: FakeClock, **owners: list[dict[str, Any]]) -> None:
        super().__init__([])
        self.clock = clock
        self.by_owner: dict[str, list[dict[str, Any]]] = {o: list(items) for o, items in owners.items()}
        self.configs: dict[str, dict[str, Any]] = {"E1": {}}
        self.tenants_by_distribution: dict[str, list[str]] = {}
        self.capacity = 1000
        self.before = 0.0
        self.after = 0.0
        self.date = True
        self.lost_answers = 0
        self.completes_after = NEVER  # of a new invalidation, from its creation
        self.made = 0

    # --- the server's state -----------------------------------------------------------------

    def wall(self) -> float:
        return WALL0 + self.clock.now

    def status(self, item: dict[str, Any]) -> str:
        return "Completed" if self.clock.now >= item.get("completes_at", NEVER) else "InProgress"

    def summary(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"Id": item["Id"], "Status": self.status(item), "CreateTime": at(item["created"])}

    def full(self, item: dict[str, Any]) -> dict[str, Any]:
        batch = {"CallerReference": item["ref"], "Paths": {"Quantity": len(item["paths"]), "Items": item["paths"]}}
        return {**self.summary(item), "InvalidationBatch": batch}

    def in_progress_count(self, owner_id: str) -> int:
        return sum(1 for i in self.by_owner.get(owner_id, []) if self.status(i) != "Completed")

    # --- the calls --------------------------------------------------------------------------

    def list_invalidations(self, DistributionId, MaxItems, Marker=None):
        self.calls.append(("ListInvalidations", {"Id": DistributionId, "Marker": Marker, "MaxItems": MaxItems}))
        self._fault()
        items = [self.summary(i) for i in self.by_owner.get(DistributionId, [])]
        return self._page(items, "InvalidationList", Marker, int(MaxItems))

    def get_invalidation(self, DistributionId, Id):
        self.calls.append(("GetInvalidation", {"Id": Id}))
        self._fault()
        for item in self.by_owner.get(DistributionId, []):
            if item["Id"] == Id:
                return {"Invalidation": self.full(item)}
        raise client_error("NoSuchInvalidation", 404)

    def get_distribution(self, Id):
        self.calls.append(("GetDistribution", {"Id": Id}))
        self._fault()
        if Id not in self.configs:
            raise client_error("NoSuchDistribution", 404, operation="GetDistribution")
        distribution = {
            "Id": Id,
            "InProgressInvalidationBatches": self.in_progress_count(Id),
            "DistributionConfig": self.configs[Id],
        }
        return {"Distribution": distribution}

    def get_distribution_tenant(self, Identifier):
        self.calls.append(("GetDistributionTenant", {"Id": Identifier}))
        self._fault()
        for distribution_id, tenants in self.tenants_by_distribution.items():
            if Identifier in tenants:
                return {"DistributionTenant": {"Id": Identifier, "DistributionId": distribution_id}}
        raise client_error("EntityNotFound", 404, operation="GetDistributionTenant")

    def list_distribution_tenants(self, AssociationFilter, MaxItems, Marker=None):
        assert isinstance(MaxItems, int)  # a number, as botocore's model says
        self.calls.append(("ListDistributionTenants", {"Filter": AssociationFilter, "Marker": Marker}))
        self._fault()
        ids = self.tenants_by_distribution.get(AssociationFilter["DistributionId"], [])
        tenants = [{"Id": t, "DistributionId": AssociationFilter["DistributionId"]} for t in ids]
        page = self._page(tenants, "List", Marker, MaxItems)["List"]
        answer: dict[str, Any] = {"DistributionTenantList": page["Items"]}  # no IsTruncated, as CloudFront
        if page["IsTruncated"]:
            answer["NextMarker"] = page["NextMarker"]
        return answer

    def create_invalidation(self, DistributionId, InvalidationBatch):
        return self._create("CreateInvalidation", DistributionId, InvalidationBatch)

    def create_invalidation_for_distribution_tenant(self, Id, InvalidationBatch):
        return self._create("CreateInvalidationForDistributionTenant", Id, InvalidationBatch)

    def _create(self, operation: str, owner_id: str, batch: dict[str, Any]) -> dict[str, Any]:
        paths = batch["Paths"]["Items"]
        assert batch["Paths"]["Quantity"] == len(paths)
        ref = batch["CallerReference"]
        self.calls.append((operation, {"Id": owner_id, "ref": ref, "paths": list(paths)}))
        self._fault()
        self.clock.now += self.before
        items = self.by_owner.setdefault(owner_id, [])
        earlier = next((i for i in items if i["ref"] == ref), None)
        if earlier is not None and earlier["paths"] != paths:
            raise refusal("InvalidationBatchAlreadyExists", "Invalidation batch specified already exists")
        if earlier is None:
            if self.in_progress_count(owner_id) >= self.capacity:
                raise refusal(
                    "TooManyInvalidationsInProgress",
                    "Processing your request will cause you to exceed the maximum number of in-progress wildcard"
                    " invalidations.",
                    request_id="req-too-many",
                )
            self.made += 1
            earlier = {
                "Id": f"INEW{self.made}",
                "ref": ref,
                "paths": list(paths),
                "created": self.wall(),
                "completes_at": self.clock.now + self.completes_after,
            }
            items.insert(0, earlier)
        self.clock.now += self.after
        if self.lost_answers:
            self.lost_answers -= 1
            raise bx.ReadTimeoutError(endpoint_url="https://cloudfront.amazonaws.com")
        answer: dict[str, Any] = {"Location": f"https://cloudfront/{earlier['Id']}", "Invalidation": self.full(earlier)}
        if self.date:
            answer["ResponseMetadata"] = {"HTTPHeaders": {"date": email.utils.formatdate(self.wall(), usegmt=True)}}
        return answer

    def creates(self) -> list[dict[str, Any]]:
        return [c[1] for c in self.calls if c[0].startswith("CreateInvalidation")]


def item(invalidation_id: str, ref: str, paths: list[str], created: float, completes_at: float = NEVER):
    return {"Id": invalidation_id, "ref": ref, "paths": paths, "created": created, "completes_at": completes_at}


def stubbed(**owners: list[dict[str, Any]]) -> tuple[CreateStub, CloudFrontApi, FakeClock]:
    clock = FakeClock()
    stub = CreateStub(clock, **owners)
    return stub, api_of(stub, clock), clock


# --- is_new: the server's clock ------------------------------------------------------------------


def test_an_invalidation_older_than_the_send_is_a_re_run():
    # Date 1000 s after the epoch base, the create took 0.5 s: the send was at ~999.5 by the server's clock
    assert not is_new(at(WALL0 + 1000 - 0.5 - 10), WALL0 + 1000, 0.5)
    # two seconds before the send: old, whatever the rounding of Date (at most a second) and the slack
    assert not is_new(at(WALL0 + 999.9 - 2), WALL0 + 999, 0.0)


def test_an_invalidation_made_during_the_create_is_new():
    assert is_new(at(WALL0 + 1000.2), WALL0 + 1000.5, 0.5)
    # a create that took long (retries): made at its start, answered 8 s later
    assert is_new(at(WALL0 + 1000.1), WALL0 + 1008, 8.0)


def test_a_date_rounded_down_to_the_second_still_tells_a_new_invalidation():
    # sent at .9 by the server's clock, made 0.2 s after the send, answered 0.3 s after it: Date says 1001
    sent = WALL0 + 1000.9
    date = float(math.floor(sent + 0.3))
    assert is_new(at(sent + 0.2), date, 0.3)
    # and one made a second and a half before the send is not
    assert not is_new(at(sent - 1.5), date, 0.3)


def test_cloudfronts_own_clocks_may_differ_by_the_slack():
    # the machine that stamped CreateTime is a little behind the one that stamped Date
    assert is_new(at(WALL0 + 1000 - CLOCK_SLACK + 0.01), WALL0 + 1000.5, 0.5)
    assert not is_new(at(WALL0 + 1000 - CLOCK_SLACK - 0.01), WALL0 + 1000.5, 0.5)


def test_without_a_date_or_a_create_time_an_invalidation_is_taken_as_new():
    assert is_new(at(WALL0 - 86400), None, 0.3)
    assert is_new(None, WALL0, 0.3)


def test_a_naive_create_time_is_utc(monkeypatch):
    # in a time zone 9 hours ahead of UTC: a naive time read as local would be 9 hours off
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        naive = datetime.datetime.fromtimestamp(WALL0 - 30, datetime.timezone.utc).replace(tzinfo=None)
        assert not is_new(naive, WALL0, 0.1)
        assert is_new(naive, WALL0 - 30, 0.0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_invalidation_made_exactly_at_the_send_less_the_slack_is_new():
    # whole binary fractions: the boundary is exact
    assert is_new(at(999.25), 1000.0, 0.75 - CLOCK_SLACK)
    assert not is_new(at(999.25 - 2**-10), 1000.0, 0.75 - CLOCK_SLACK)


def test_server_time_reads_the_date_header():
    assert server_time({"ResponseMetadata": {"HTTPHeaders": {"date": "Tue, 14 Nov 2023 22:13:20 GMT"}}}) == WALL0
    assert server_time({"ResponseMetadata": {"HTTPHeaders": {}}}) is None
    assert server_time({}) is None
    assert server_time({"ResponseMetadata": {"HTTPHeaders": {"date": "not a date"}}}) is None


# --- references and batches -----------------------------------------------------------------------


def test_a_derived_reference_is_the_tasks_with_the_suffix():
    assert derived_reference("release-42", "dt_x") == "release-42@dt_x"
    fits = "r" * 123  # with "@dt_x": 128
    assert derived_reference(fits, "dt_x") == f"{fits}@dt_x"


@pytest.mark.parametrize("suffix", ["dt_x", "dt_" + "a" * 64, "E2QWRUHAPOMQZL", "www.example.com"])
def test_a_long_reference_is_derived_within_128_characters_keeping_the_suffix(suffix):
    long_ref = "r" * 128
    derived = derived_reference(long_ref, suffix)
    assert len(derived) <= 128 and derived.endswith(f"@{suffix}")
    assert derived == derived_reference(long_ref, suffix)  # the same on a re-run
    assert derived != derived_reference(long_ref, "dt_y")
    assert derived != derived_reference("r" * 127 + "s", suffix)
    assert not derived.startswith("rrr")
    # one character past 128 is derived too
    fits = "r" * (127 - len(suffix))
    assert derived_reference(fits, suffix) == f"{fits}@{suffix}"
    over = derived_reference(fits + "r", suffix)
    assert len(over) <= 128 and over.endswith(f"@{suffix}") and not over.startswith("rrr")


def test_a_suffix_too_long_to_keep_gives_a_digest_of_128_characters_at_most():
    long_suffix = "a" * 60 + "." + "b" * 60 + ".example.com"  # an alias of 133 characters
    derived = derived_reference("release-1", long_suffix)
    assert len(derived) <= 128 and derived == derived_reference("release-1", long_suffix)
    assert derived != derived_reference("release-1", long_suffix + "x")
    assert derived != derived_reference("release-2", long_suffix)
    medium = "m" * 87  # 40 hex characters, @ and 87: exactly 128
    assert derived_reference("r" * 128, medium).endswith(f"@{medium}")
    assert len(derived_reference("r" * 128, medium)) == 128
    assert "@" not in derived_reference("r" * 128, medium + "m")


def test_a_generated_reference_is_new_each_run():
    first, second = generated_reference(), generated_reference()
    assert first.startswith("edgeops-") and first != second and len(first) <= 128


def test_batch_paths_keeps_the_order_and_drops_repeats():
    assert batch_paths(["/b", "/a", "/b", "#t", "/a", "/c"]) == ["/b", "/a", "#t", "/c"]


def test_describe_batch_counts_each_kind():
    assert describe_batch(["/a", "/b", "/c/*", "#t"]) == "2 file paths, 1 wildcard, 1 cache tag"
    assert describe_batch(["/a"]) == "1 file path"
    assert describe_batch(["/a/*", "/b*", "#t", "#u"]) == "2 wildcards, 2 cache tags"


# --- Creator.create -------------------------------------------------------------------------------


def test_a_new_create_is_one_request_and_changed():
    stub, api, clock = stubbed()
    stub.before, stub.after = 0.2, 0.1
    created = Creator(api).create(E1, ["/a", "/b", "/a"], "release-1")
    assert created.changed and created.before == [] and created.headroom_waited == 0.0
    assert stub.creates() == [{"Id": "E1", "ref": "release-1", "paths": ["/a", "/b"]}]
    assert created.invalidation == {
        "id": "INEW1",
        "distribution_id": "E1",
        "status": "InProgress",
        "completed": False,
        "create_time": iso(WALL0 + 0.2),
        "caller_reference": "release-1",
        "paths": ["/a", "/b"],
        "path_count": 2,
    }
    assert clock.sleeps == []


def test_a_tenants_create_uses_the_tenant_operation():
    stub, api, _clock = stubbed()
    created = Creator(api).create(DT_A, ["/a"], "release-1")
    assert stub.ops() == ["CreateInvalidationForDistributionTenant"]
    assert stub.calls[0][1]["Id"] == "dt_a1"
    assert created.invalidation["distribution_tenant_id"] == "dt_a1" and created.changed


def test_a_re_run_answers_the_earlier_invalidation_unchanged_with_its_paths_before():
    earlier = item("I7", "release-1", ["/a", "/b"], WALL0 - 3600, completes_at=0)
    stub, api, _clock = stubbed(E1=[earlier])
    stub.after = 0.3
    created = Creator(api).create(E1, ["/a", "/b"], "release-1")
    assert not created.changed
    assert created.before == ["/a", "/b"]
    assert created.invalidation["id"] == "I7" and created.invalidation["status"] == "Completed"
    assert stub.ops() == ["CreateInvalidation"]


def test_a_re_run_without_a_date_header_is_reported_as_changed():
    earlier = item("I7", "release-1", ["/a"], WALL0 - 3600)
    stub, api, _clock = stubbed(E1=[earlier])
    stub.date = False
    created = Creator(api).create(E1, ["/a"], "release-1")
    assert created.changed and created.before == [] and created.invalidation["id"] == "I7"


def test_a_create_whose_answer_was_lost_is_retried_with_the_same_reference_and_is_new(steady_random):
    # The first attempt makes the invalidation and times out; the retry (2 s later) answers it. Its
    # CreateTime is before the retry was sent, but after the first attempt was: new.
    stub, api, clock = stubbed()
    stub.before, stub.after = 0.2, 0.1
    stub.lost_answers = 1
    created = Creator(api).create(E1, ["/a"], "release-1")
    assert [c["ref"] for c in stub.creates()] == ["release-1", "release-1"]
    assert clock.sleeps == [pytest.approx(2.0)]
    assert created.changed and created.invalidation["id"] == "INEW1" and stub.made == 1


def test_a_create_refused_for_headroom_waits_for_an_invalidation_in_progress_to_complete():
    in_progress = [item("I2", "r2", ["/*"], WALL0 - 60, completes_at=NEVER), item("I1", "r1", ["/x*"], WALL0 - 90)]
    in_progress[1]["completes_at"] = 12.0  # seen completed by the poll at 15 s
    stub, api, clock = stubbed(E1=in_progress)
    stub.capacity = 2
    creator = Creator(api, headroom_timeout=60, schedule=EVERY_5S)
    retry_during_polls: list[bool] = []
    statuses = api.statuses

    def watched_statuses(owner, ids):
        retry_during_polls.append(api.retry)
        return statuses(owner, ids)

    api.statuses = watched_statuses  # type: ignore[method-assign]
    created = creator.create(E1, ["/a", "/b/*"], "release-1")
    assert created.changed and created.invalidation["id"] == "INEW1"
    assert created.headroom_waited == 15.0 == clock.now
    assert clock.sleeps == [5.0, 5.0, 5.0]
    assert len(stub.creates()) == 2  # refused, then made
    assert retry_during_polls == [False, False, False]  # the waiter retries the polls, in its deadline
    assert api.retry is True  # and the requests after the wait are retried again


def test_a_headroom_wait_polls_the_oldest_in_progress_one_request_a_poll_and_names_at_most_20():
    """Thousands in progress cost one GetInvalidation a poll (the oldest, which completes first), not a
    walk through their pages; the failure names the 20 newest and counts the others."""
    in_progress = [item(f"I{n:03}", f"r{n}", ["/a"], WALL0 - 60 - n) for n in range(250)]  # newest first
    stub, api, _clock = stubbed(E1=in_progress)
    stub.capacity = 250
    with pytest.raises(CloudFrontError) as error:
        Creator(api, headroom_timeout=30, schedule=EVERY_5S).create(E1, ["/b"], "release-1")
    ops = stub.ops()
    listing = ops.index("GetDistribution")
    polls = ops[listing + 1 :]
    assert polls[:3] == ["ListInvalidations"] * 3  # the listing: until 250 were seen
    assert polls[3:] == ["GetInvalidation"] * 6  # a poll every 5 s for 30 s, one request each
    assert [call[1]["Id"] for call in stub.calls if call[0] == "GetInvalidation"] == ["I249"] * 6
    assert error.value.msg.endswith(", ".join(f"I{n:03}" for n in range(20)) + " and 230 more (250)")


def test_a_create_made_after_a_headroom_wait_is_new():
    # the wait took minutes: the invalidation made after it is told new by the retried create's own time
    stub, api, _clock = stubbed(E1=[item("I1", "r1", ["/*"], WALL0 - 60, completes_at=200.0)])
    stub.capacity = 1
    stub.before, stub.after = 0.2, 0.1
    created = Creator(api, headroom_timeout=600, schedule=EVERY_5S).create(E1, ["/a"], "release-1")
    assert created.changed and created.headroom_waited == 200.2  # from the start to the send of the create that made it


def test_headroom_timeout_zero_fails_at_once_naming_the_limit_and_what_is_in_progress():
    stub, api, clock = stubbed(E1=[item("I2", "r2", ["/*"], WALL0 - 60), item("I1", "r1", ["/a"], WALL0 - 90)])
    stub.capacity = 2
    with pytest.raises(CloudFrontError) as error:
        Creator(api, headroom_timeout=0, schedule=EVERY_5S).create(E1, ["/a", "/b/*", "#t"], "release-1")
    assert error.value.msg == (
        "Timed out after 0.0s (headroom_timeout=0): CloudFront distribution E1 has too many invalidations in"
        " progress to take this one (1 file path, 1 wildcard, 1 cache tag): at most 3,000 file paths and cache"
        " tags and 15 wildcards may be in progress per distribution or tenant; in progress: I2, I1 (2)"
    )
    assert error.value.facts() == {"error_code": "TooManyInvalidationsInProgress", "request_id": "req-too-many"}
    assert clock.now == 0 and clock.sleeps == []
    assert stub.ops() == ["CreateInvalidation", "GetDistribution", "ListInvalidations"]  # no poll
    assert api.retry is True


def test_a_headroom_that_never_comes_fails_at_the_deadline_naming_what_is_in_progress():
    stub, api, clock = stubbed(E1=[item("I2", "r2", ["/*"], WALL0 - 60), item("I1", "r1", ["/a"], WALL0 - 90)])
    stub.capacity = 2
    with pytest.raises(CloudFrontError) as error:
        Creator(api, headroom_timeout=60, schedule=EVERY_5S).create(E1, ["/a"], "release-1")
    assert error.value.msg.startswith("Timed out after 60.0s (headroom_timeout=60): CloudFront distribution E1")
    assert error.value.msg.endswith("in progress: I2, I1 (2)")
    assert error.value.code == "TooManyInvalidationsInProgress"
    assert 60 <= clock.now <= 60 + EVERY_5S.min_interval
    assert len(stub.creates()) == 1
    assert api.retry is True  # restored after a wait that failed too


def test_a_caller_that_words_its_own_timeout_gets_the_refusal_alone():
    stub, api, _clock = stubbed(E1=[item("I1", "r1", ["/*"], WALL0 - 60)])
    stub.capacity = 1
    with pytest.raises(CloudFrontError) as error:
        Creator(api, headroom_timeout=10, schedule=EVERY_5S, timeout_option=None).create(E1, ["/a"], "release-1")
    assert error.value.msg.startswith("CloudFront distribution E1 has too many invalidations in progress")
    assert error.value.msg.endswith("in progress: I1 (1)")
    assert error.value.code == "TooManyInvalidationsInProgress"


def test_the_headroom_deadline_counts_from_the_first_refusal_across_refusals():
    # I1 completes at 12 s; the retried create at 15 s is refused again (I3 took the room meanwhile),
    # and the second wait has only what is left of the 20 s
    items = [item("I2", "r2", ["/*"], WALL0 - 60), item("I1", "r1", ["/a"], WALL0 - 90, completes_at=12.0)]
    stub, api, clock = stubbed(E1=items)
    stub.capacity = 2
    late = item("I3", "r3", ["/c"], WALL0 + 13)
    statuses = api.statuses

    def another_one_arrives(owner, ids):
        if clock.now >= 13 and late not in stub.by_owner["E1"]:
            stub.by_owner["E1"].insert(0, late)
        return statuses(owner, ids)

    api.statuses = another_one_arrives  # type: ignore[method-assign]
    with pytest.raises(CloudFrontError) as error:
        Creator(api, headroom_timeout=20, schedule=EVERY_5S).create(E1, ["/a"], "release-1")
    assert error.value.msg.startswith("Timed out after 20.0s (headroom_timeout=20)")
    assert error.value.msg.endswith("in progress: I3, I2 (2)")
    assert clock.now == 20
    assert len(stub.creates()) == 2


def test_a_refusal_with_nothing_listed_in_progress_is_tried_again_after_the_shortest_interval():
    # what was in progress completed between the refusal and the listing
    items = [item("I1", "r1", ["/*"], WALL0 - 60, completes_at=0.0)]
    stub, api, clock = stubbed(E1=items)
    stub.faults = [refusal("TooManyInvalidationsInProgress")]
    created = Creator(api, headroom_timeout=60, schedule=EVERY_5S).create(E1, ["/a"], "release-1")
    assert created.changed and created.headroom_waited == 5.0 and clock.sleeps == [5.0]
    assert stub.ops() == ["CreateInvalidation", "GetDistribution", "CreateInvalidation"]


# --- the errors of a create, in the user's terms -----------------------------------------------------


def newer(n: int, owner_id: str = "E1") -> list[dict[str, Any]]:
    return [item(f"IN{i}", f"other-{i}", ["/x"], WALL0 - 100 + i, completes_at=0) for i in reversed(range(n))]


def test_a_reference_used_with_other_paths_names_the_earlier_invalidation():
    earlier = item("I7", "release-1", ["/a", "/b"], WALL0 - 3600, completes_at=0)
    stub, api, _clock = stubbed(E1=[*newer(3), earlier])
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["/c"], "release-1")
    assert error.value.msg.startswith(
        "caller_reference 'release-1' was used on CloudFront distribution E1 with other paths by invalidation I7"
        f" (/a, /b, created {iso(WALL0 - 3600)}): give the same paths to get that invalidation again, or another"
        " caller_reference (InvalidationBatchAlreadyExists: CloudFront refused cloudfront:CreateInvalidation"
    )
    assert error.value.code == "InvalidationBatchAlreadyExists"
    assert stub.ops().count("GetInvalidation") == 4  # newest first, up to the one that holds it


def test_a_reference_held_by_an_invalidation_older_than_the_20_newest_says_so():
    earlier = item("I7", "release-1", ["/a"], WALL0 - 3600, completes_at=0)
    stub, api, _clock = stubbed(E1=[*newer(25), earlier])
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["/c"], "release-1")
    assert error.value.msg.startswith(
        "caller_reference 'release-1' was used on CloudFront distribution E1 with other paths (by an invalidation"
        " older than the 20 newest): give the same paths"
    )
    assert stub.ops().count("GetInvalidation") == 20


def test_a_reference_search_that_fails_still_names_the_reference():
    stub, api, _clock = stubbed(E1=[item("I7", "release-1", ["/a"], WALL0 - 3600)])
    stub.faults = [refusal("InvalidationBatchAlreadyExists"), client_error("AccessDenied", 403)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["/a"], "release-1")
    assert error.value.msg.startswith(
        "caller_reference 'release-1' was used on CloudFront distribution E1 with other paths (by an invalidation"
        " which could not be read: Access denied: the AWS credentials in use may not call cloudfront:ListInvalidations"
    )
    assert error.value.code == "InvalidationBatchAlreadyExists"


@pytest.mark.parametrize(
    "message",
    ["The CallerReference you provided was used for another batch", "caller reference already used"],
)
def test_an_invalid_argument_about_the_reference_is_a_reused_reference(message):
    earlier = item("I7", "release-1", ["/a"], WALL0 - 3600, completes_at=0)
    stub, api, _clock = stubbed(E1=[earlier])
    stub.faults = [refusal("InvalidArgument", message, request_id="req-1")]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["/a"], "release-1")
    assert error.value.msg.startswith(
        "caller_reference 'release-1' was used on CloudFront distribution E1 with other paths by invalidation I7"
    )
    assert error.value.msg.endswith(f"(InvalidArgument: {message}) [AWS request ID req-1])")
    assert error.value.facts() == {"error_code": "InvalidArgument", "request_id": "req-1"}


def test_an_invalid_argument_not_about_the_reference_is_reported_as_it_is():
    stub, api, _clock = stubbed()
    stub.faults = [refusal("InvalidArgument", "Your request contains one or more invalid invalidation paths.")]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["/a"], "release-1")
    assert error.value.msg == (
        "CloudFront refused cloudfront:CreateInvalidation on CloudFront distribution E1 (InvalidArgument: Your"
        " request contains one or more invalid invalidation paths.)"
    )
    assert stub.ops() == ["CreateInvalidation"]  # nothing looked up


def test_a_reused_reference_error_without_an_answer_of_cloudfront():
    earlier = {"id": "I7", "paths": ["/a"], "create_time": "2023-11-14T22:13:20+00:00"}
    error = reused_reference_error(DT_A, "r", earlier)  # type: ignore[arg-type]
    assert error.msg == (
        "caller_reference 'r' was used on CloudFront distribution tenant dt_a1 with other paths by invalidation I7"
        " (/a, created 2023-11-14T22:13:20+00:00): give the same paths to get that invalidation again, or another"
        " caller_reference"
    )
    assert error.code == "InvalidationBatchAlreadyExists"
    assert reused_reference_error(E1, "r", "older than the 20 newest").msg.startswith(
        "caller_reference 'r' was used on CloudFront distribution E1 with other paths (by an invalidation older than"
        " the 20 newest): give the same paths"
    )


TAGS_REFUSED = "Your request contains one or more invalid invalidation paths."


def test_cache_tags_on_a_distribution_without_cache_tag_config_name_it():
    stub, api, _clock = stubbed()
    stub.faults = [refusal("InvalidArgument", TAGS_REFUSED)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["/a", "#product-42"], "release-1")
    assert error.value.msg.startswith(
        "CloudFront distribution E1 has no CacheTagConfig: cache tags (paths that start with #) can be invalidated"
        " only on a distribution whose configuration names the header"
    )
    assert error.value.msg.endswith(f"(InvalidArgument: {TAGS_REFUSED})")
    assert error.value.code == "InvalidArgument"


def test_cache_tags_on_a_tenant_name_its_distribution():
    stub, api, _clock = stubbed()
    stub.configs["E9"] = {"ConnectionMode": "tenant-only"}
    stub.tenants_by_distribution = {"E9": ["dt_a1"]}
    stub.faults = [refusal("InvalidArgument", TAGS_REFUSED)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(DT_A, ["#product-42"], "release-1")
    assert error.value.msg.startswith("CloudFront distribution E9 has no CacheTagConfig: cache tags")
    assert stub.ops() == ["CreateInvalidationForDistributionTenant", "GetDistributionTenant", "GetDistribution"]


def test_cache_tags_refused_on_a_distribution_with_cache_tag_config_are_reported_as_they_are():
    stub, api, _clock = stubbed()
    stub.configs["E1"] = {"CacheTagConfig": {"HeaderName": "Cache-Tag"}}
    stub.faults = [refusal("InvalidArgument", TAGS_REFUSED)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["#product-42"], "release-1")
    assert error.value.msg.startswith("CloudFront refused cloudfront:CreateInvalidation")


def test_an_invalid_argument_without_cache_tags_reads_no_distribution():
    stub, api, _clock = stubbed()
    stub.faults = [refusal("InvalidArgument", TAGS_REFUSED)]
    with pytest.raises(CloudFrontError):
        Creator(api).create(E1, ["/a"], "release-1")
    assert stub.ops() == ["CreateInvalidation"]


def test_a_distribution_that_cannot_be_read_leaves_the_cache_tag_error_as_it_is():
    stub, api, _clock = stubbed()
    stub.faults = [refusal("InvalidArgument", TAGS_REFUSED), client_error("AccessDenied", 403)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E1, ["#product-42"], "release-1")
    assert error.value.msg.startswith("CloudFront refused cloudfront:CreateInvalidation")


def test_no_such_distribution_on_a_multi_tenant_one_says_how_to_name_its_tenants():
    stub, api, _clock = stubbed()
    stub.configs["E9"] = {"ConnectionMode": "tenant-only"}
    stub.faults = [refusal("NoSuchDistribution", status=404)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(E9, ["/a"], "release-1")
    assert error.value.msg == (
        "CloudFront distribution E9 is a multi-tenant distribution: its invalidations belong to its distribution"
        " tenants. Give distribution_tenant_id (dt_...), or one of the tenant's domains as alias, or"
        " all_tenants=true to invalidate the same paths on every tenant"
    )


def test_a_caller_without_all_tenants_is_not_told_of_it():
    stub, api, _clock = stubbed()
    stub.configs["E9"] = {"ConnectionMode": "tenant-only"}
    stub.faults = [refusal("NoSuchDistribution", status=404)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api, all_tenants_hint=False).create(E9, ["/a"], "release-1")
    assert error.value.msg.endswith("Give distribution_tenant_id (dt_...), or one of the tenant's domains as alias")


def test_no_such_distribution_otherwise_is_reported_as_it_is():
    stub, api, _clock = stubbed()
    stub.faults = [refusal("NoSuchDistribution", status=404)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api).create(Owner("E404"), ["/a"], "release-1")
    assert error.value.msg == "CloudFront distribution E404 does not exist"
    assert error.value.code == "NoSuchDistribution"


# --- the calls of api.py a create makes ------------------------------------------------------------


def test_create_invalidation_sends_the_batch_and_answers_the_servers_clock():
    stub, api, clock = stubbed()
    clock.now = 10.0
    stub.after = 0.7
    invalidation, answered_at = api.create_invalidation(E1, ["/a", "#t"], "release-1")
    assert invalidation["Id"] == "INEW1"
    assert answered_at == WALL0 + 10  # Date, to the second: 10.7 s rounded down
    assert stub.calls == [("CreateInvalidation", {"Id": "E1", "ref": "release-1", "paths": ["/a", "#t"]})]
    stub.date = False
    assert api.create_invalidation(DT_A, ["/a"], "release-2")[1] is None
    assert stub.calls[-1] == (
        "CreateInvalidationForDistributionTenant",
        {"Id": "dt_a1", "ref": "release-2", "paths": ["/a"]},
    )


def test_with_caller_reference_reads_the_newest_up_to_the_limit():
    # newest first: five others, one whose reference is a part of the one looked for, then the one
    others = [*newer(5), item("I8", "release", ["/a"], WALL0 - 1800)]
    stub, api, _clock = stubbed(dt_a1=[*others, item("I7", "release-1", ["/a"], WALL0 - 3600)])
    found, examined = api.with_caller_reference(DT_A, "release-1", 10)
    assert found is not None and found["Id"] == "I7" and examined == 7
    stub.calls.clear()
    found, examined = api.with_caller_reference(DT_A, "release-1", 3)
    assert found is None and examined == 3
    assert stub.ops().count("GetInvalidationForDistributionTenant") == 3


def test_distribution_tenants_are_paged_with_a_numeric_size():
    stub, api, _clock = stubbed()
    stub.tenants_by_distribution = {"E9": [f"dt_t{i}" for i in range(230)], "E8": ["dt_z"]}
    tenants = [t["Id"] for t in api.distribution_tenants("E9")]
    assert tenants == [f"dt_t{i}" for i in range(230)]
    assert stub.ops() == ["ListDistributionTenants"] * 3
    assert [c[1]["Marker"] for c in stub.calls] == [None, "dt_t99", "dt_t199"]
    assert all(c[1]["Filter"] == {"DistributionId": "E9"} for c in stub.calls)


def test_get_distribution_tenant_names_its_distribution():
    stub, api, _clock = stubbed()
    stub.tenants_by_distribution = {"E9": ["dt_a1"]}
    assert api.get_distribution_tenant("dt_a1")["DistributionId"] == "E9"
    with pytest.raises(CloudFrontError, match="CloudFront distribution tenant dt_nope does not exist"):
        api.get_distribution_tenant("dt_nope")


# --- a clock that does not start at zero; codes that sort around the ones handled ------------------


def started_at(now: float, **owners: list[dict[str, Any]]) -> tuple[CreateStub, CloudFrontApi, FakeClock]:
    """``stubbed``, on a fake clock that reads ``now`` at the start (a monotonic clock never reads 0)."""
    clock = FakeClock(now)
    stub = CreateStub(clock, **owners)
    return stub, api_of(stub, clock), clock


def test_a_re_run_is_told_on_a_clock_that_does_not_start_at_zero():
    stub, api, _clock = started_at(5000.0, E1=[item("I7", "release-1", ["/a"], WALL0 + 5000.0 - 10)])
    stub.before, stub.after = 0.1, 0.1
    created = Creator(api, headroom_timeout=60, schedule=EVERY_5S).create(E1, ["/a"], "release-1")
    assert not created.changed and created.invalidation["id"] == "I7"


def test_headroom_timeouts_are_counted_from_the_start_on_a_clock_that_does_not_start_at_zero():
    busy = [item("I1", "r1", ["/*"], WALL0 - 60)]
    stub, api, clock = started_at(5000.0, E1=list(busy))
    stub.capacity = 1
    with pytest.raises(CloudFrontError) as at_once:
        Creator(api, headroom_timeout=0, schedule=EVERY_5S).create(E1, ["/a"], "release-1")
    assert at_once.value.msg.startswith("Timed out after 0.0s (headroom_timeout=0)")
    stub, api, clock = started_at(5000.0, E1=list(busy))
    stub.capacity = 1
    with pytest.raises(CloudFrontError) as later:
        Creator(api, headroom_timeout=20, schedule=EVERY_5S).create(E1, ["/a"], "release-1")
    assert later.value.msg.startswith("Timed out after 20.0s (headroom_timeout=20)")
    assert clock.now == 5020.0


@pytest.mark.parametrize(
    ("code", "message"),
    [
        # codes that sort before and after those handled, with words that would otherwise trigger them
        ("AccessDenied", "not authorized to use this CallerReference"),
        ("MissingBody", "the CallerReference of the batch"),
        ("PreconditionFailed", ""),
        ("UnsupportedOperation", ""),
    ],
)
def test_other_refusals_of_a_create_are_reported_as_they_are_with_nothing_more_read(code, message):
    stub, api, _clock = stubbed()
    stub.faults = [refusal(code, message)]
    with pytest.raises(CloudFrontError) as error:
        Creator(api, headroom_timeout=60, schedule=EVERY_5S).create(E1, ["/a", "#tag"], "release-1")
    assert error.value.code == code
    assert "caller_reference" not in error.value.msg and "CacheTagConfig" not in error.value.msg
    assert stub.ops() == ["CreateInvalidation"]  # no headroom wait, no search, no distribution read


def test_check_mode_finds_other_paths_whichever_way_they_sort():
    for earlier, given in ((["/b"], ["/a"]), (["/a"], ["/b"])):
        _stub, api, _clock = stubbed(E1=[item("I7", "release-1", earlier, WALL0 - 60)])
        with pytest.raises(CloudFrontError):
            Creator(api, headroom_timeout=60, schedule=EVERY_5S).find(E1, given, "release-1")


def test_a_refusal_with_exactly_20_in_progress_names_them_all():
    in_progress = [item(f"I{n:03}", f"r{n}", ["/a"], WALL0 - 60 - n) for n in range(20)]
    stub, api, _clock = stubbed(E1=in_progress)
    stub.capacity = 20
    with pytest.raises(CloudFrontError) as error:
        Creator(api, headroom_timeout=0, schedule=EVERY_5S).create(E1, ["/b"], "release-1")
    assert error.value.msg.endswith(", ".join(f"I{n:03}" for n in range(20)) + " (20)")
