"""A unit of work: what one transaction knows is not read again, writes put off to its
end happen once, and nothing of it outlives the transaction or survives a savepoint."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from suivi.conversations import services as conversations
from suivi.conversations.models import Case
from suivi.core import db as core_db
from suivi.core import work
from suivi.promises import services as promises
from suivi.promises.models import Promise
from suivi.scheduling import assets
from suivi.scheduling.models import AssetLink
from tests import builders


def _unit():
    """What inbound e-mail processing enters: no savepoints, then a unit of work."""
    return core_db.no_nested_savepoints(), work.unit_of_work()


@pytest.mark.postgresql  # memos need nested blocks without savepoints
def test_no_memo_outside_a_unit_or_under_savepoints(db):
    assert work.memo("x") is None
    with transaction.atomic(), core_db.no_nested_savepoints(), work.unit_of_work():
        assert work.memo("x") == {}
        # a block whose error is caught (it has a savepoint again) notes nothing
        with core_db.savepoints():
            assert work.memo("x") is None
            assert not work.at_end("w", lambda: None)
    assert work.memo("x") is None


@pytest.mark.postgresql  # memos need nested blocks without savepoints
def test_writes_put_off_run_once_at_the_end_and_never_after_an_error(db):
    runs: list[str] = []
    with transaction.atomic():
        savepoints, unit = _unit()
        with savepoints, unit:
            assert work.at_end("w", lambda: runs.append("w"))
            assert work.at_end("w", lambda: runs.append("again"))  # registered once
            assert runs == []
        assert runs == ["w"]

    with pytest.raises(ValueError), transaction.atomic():
        savepoints, unit = _unit()
        with savepoints, unit:
            work.at_end("w", lambda: runs.append("lost"))
            raise ValueError
    assert runs == ["w"]


@pytest.mark.postgresql  # memos need nested blocks without savepoints
def test_a_new_case_is_neither_relocked_nor_saved_twice(db, advisor):
    customer = builders.customer(advisor=advisor)
    with transaction.atomic():
        savepoints, unit = _unit()
        with savepoints, unit:
            case = conversations.case_open(customer=customer, subject="Facture")
            with CaptureQueriesContext(connection) as queries:
                builders.inbound(case)
                conversations.interaction_record(
                    case=case, channel="email", direction="out", author_kind="system",
                    text="Accusé de réception",
                )  # fmt: skip
            sql = [q["sql"] for q in queries.captured_queries]
            # no lock, no UPDATE of the case yet: its clocks are saved once, at the end
            assert not [s for s in sql if "FOR UPDATE" in s or s.startswith("UPDATE")], sql
            # another copy of the case reads the row as it will be (written first)
            other = Case.objects.get(pk=case.pk)
            conversations._lock(other)
            assert other.awaiting_reply_since == case.awaiting_reply_since is not None
    case.refresh_from_db()
    assert case.awaiting_reply_since is not None
    assert case.last_interaction_at is not None


@pytest.mark.postgresql  # memos need nested blocks without savepoints
def test_a_case_locked_in_the_unit_has_its_clocks_saved_once_at_the_end(db, advisor):
    # given a case opened earlier (outside the unit), waiting for nothing
    customer = builders.customer(advisor=advisor)
    case = conversations.case_open(customer=customer, subject="Facture")
    with transaction.atomic():
        savepoints, unit = _unit()
        with savepoints, unit:
            # when the customer writes twice in the unit
            with CaptureQueriesContext(connection) as queries:
                builders.inbound(case)
                builders.inbound(case, text="Et aussi mon adresse.")
            sql = [q["sql"] for q in queries.captured_queries]

            # then the case was locked once and not updated yet
            assert len([s for s in sql if "FOR UPDATE" in s]) == 1, sql
            assert not [s for s in sql if s.startswith("UPDATE")], sql
            # and another copy of the case reads the row as it will be (written first)
            other = Case.objects.get(pk=case.pk)
            conversations._lock(other)
            assert other.awaiting_reply_since == case.awaiting_reply_since is not None
    case.refresh_from_db()
    assert case.awaiting_reply_since is not None


@pytest.mark.postgresql  # memos need nested blocks without savepoints
def test_policy_promises_are_written_before_anything_else_touches_promises(db, advisor):
    customer = builders.customer(advisor=advisor)
    with transaction.atomic():
        savepoints, unit = _unit()
        with savepoints, unit:
            case = conversations.case_open(customer=customer, subject="Facture")
            builders.inbound(case)
            # made (resolution, first answer) but not written yet; known all the same
            assert not Promise.objects.filter(case=case).exists()
            due = promises.first_answer_due(case)
            assert due is not None
            # keeping them writes them first, then keeps the first answer
            kept = promises.promises_keep_for_case(case=case, kinds=["first_answer"])
            assert kept == 1
            # and from then on the database is asked again
            assert promises.first_answer_due(case) is None
    statuses = dict(Promise.objects.filter(case=case).values_list("kind", "status"))
    assert statuses == {"resolution": "open", "first_answer": "kept"}


@pytest.mark.postgresql  # memos need nested blocks without savepoints
def test_an_asset_linked_to_a_new_case_in_the_same_unit_follows_it(db, advisor):
    customer = builders.customer(advisor=advisor)
    asset = assets.asset_create(customer=customer, model="Chaudière X200")
    with transaction.atomic():
        savepoints, unit = _unit()
        with savepoints, unit:
            plain = conversations.case_open(customer=customer, subject="Sans appareil")
            linked = conversations.case_open(customer=customer, subject="Chaudière")
            assets.asset_link(asset=asset, case=linked)
            with CaptureQueriesContext(connection) as queries:
                builders.inbound(plain)
            # a case opened here and never linked has no asset: nothing is looked up
            assert not [q for q in queries.captured_queries if "assetlink" in q["sql"]]
            interaction = builders.inbound(linked)
    assert AssetLink.objects.filter(asset=asset, interaction=interaction).exists()


def test_a_unit_belongs_inside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError), work.unit_of_work():
        pass
