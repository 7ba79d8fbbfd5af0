"""Statements built once: the same rows as the ORM's, each run with its own values; and
INSERT / UPDATE built from the models' metadata, read back as the ORM stored them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suivi.conversations.models import Case, Interaction
from suivi.core import clock, statements
from suivi.customers.models import Customer
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.mark.postgresql  # compiled statements and writes together: PostgreSQL only
def test_a_compiled_queryset_is_built_once_and_run_with_each_call_s_values():
    # given two customers, and a statement that counts how often it is built
    anne = builders.customer(given_name="Anne", family_name="A", email="anne@example.org")
    paul = builders.customer(given_name="Paul", family_name="P", email="paul@example.org")
    built = []

    def build(kind, value):
        built.append(value)
        return Customer.objects.filter(identities__kind=kind, identities__value=value)[:1]

    by_identity = statements.Compiled(build)

    # when it runs for each address, and for an unknown one, one statement each
    with CaptureQueriesContext(connection) as queries:
        found = [
            by_identity.first(kind="email", value=address)
            for address in ("anne@example.org", "paul@example.org", "nobody@example.org")
        ]

    # then each run found its own customer, as full instances; the queryset was built once
    assert [c.pk if c else None for c in found] == [anne.pk, paul.pk, None]
    assert found[0].given_name == "Anne" and not found[0]._state.adding
    assert len(built) == 1 and built[0] not in ("anne@example.org", "paul@example.org")
    assert len(queries) == 3


def test_compiled_rows_are_converted_as_the_orm_converts_them():
    # given an interaction whose metadata is JSON and whose time is a datetime
    customer = builders.customer()
    case = builders.case(customer=customer)
    interaction = builders.inbound(case, metadata={"email": {"from": "a@example.org"}})
    rows = statements.Compiled(
        lambda case_id, since: Interaction.objects.filter(
            case_id=case_id, occurred_at__gte=since
        ).values_list("metadata", "occurred_at")
    )

    # when it runs with a time before and after the interaction
    before = rows.rows(case_id=case.pk, since=interaction.occurred_at - timedelta(hours=1))
    after = rows.rows(case_id=case.pk, since=interaction.occurred_at + timedelta(hours=1))

    # then the JSON is a dict and the time the stored one, as values_list() gives them
    expected = list(
        Interaction.objects.filter(pk=interaction.pk).values_list("metadata", "occurred_at")
    )
    assert before == expected
    assert before[0][0]["email"]["from"] == "a@example.org"
    assert after == []


@pytest.mark.postgresql  # compiled statements and writes together: PostgreSQL only
def test_a_compiled_queryset_refuses_values_that_would_change_its_shape():
    compiled = statements.Compiled(lambda flag: Case.objects.filter(pk=1))
    with pytest.raises(TypeError):
        compiled.rows(flag=True)
    with pytest.raises(TypeError):
        compiled.rows(flag=None)


def test_compiled_model_rows_come_with_their_select_related_instances():
    # given two cases of two customers
    anne, paul = builders.customer(given_name="Anne"), builders.customer(given_name="Paul")
    cases = [builders.case(customer=anne), builders.case(customer=paul)]
    compiled = statements.Compiled(
        lambda pk: Case.objects.select_related("customer").filter(pk=pk)[:1]
    )

    # when each is read, then its customer comes with it, without another query
    for case, name in zip(cases, ("Anne", "Paul"), strict=True):
        with CaptureQueriesContext(connection) as queries:
            found = compiled.first(pk=case.pk)
            assert (found.pk, found.customer.given_name) == (case.pk, name)
        assert len(queries) == 1


def test_insert_stores_several_rows_in_one_statement_and_sets_their_keys():
    # given two new customers
    moment = clock.now()
    rows = [
        Customer(given_name="Anne", family_name="A", created_at=moment),
        Customer(given_name="Paul", family_name="P", created_at=moment, language="en"),
    ]

    # when they are inserted
    with CaptureQueriesContext(connection) as queries:
        statements.insert(rows)

    # then one statement stored both, and each instance knows its row
    assert len(queries) == 1
    assert all(row.pk and not row._state.adding for row in rows)
    stored = {c.pk: (c.given_name, c.language, c.created_at) for c in Customer.objects.all()}
    assert stored == {
        rows[0].pk: ("Anne", "fr", moment),
        rows[1].pk: ("Paul", "en", moment),
    }


def test_insert_writes_foreign_keys_and_json_as_save_does():
    # given an interaction on a case, with metadata
    case = builders.case(customer=builders.customer())
    interaction = Interaction(
        customer_id=case.customer_id, case=case, channel="email", direction="in",
        author_kind="customer", text="Bonjour", occurred_at=clock.now(),
        metadata={"email": {"subject": "Facture"}}, created_at=clock.now(),
    )  # fmt: skip

    # when it is inserted
    statements.insert([interaction])

    # then it reads back as the ORM stored it
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.case_id, stored.metadata) == (case.pk, {"email": {"subject": "Facture"}})


def test_update_writes_only_the_fields_named():
    # given a case changed in memory, and in the database meanwhile
    case = builders.case(customer=builders.customer(), subject="Avant")
    Case.objects.filter(pk=case.pk).update(subject="Ailleurs")
    case.subject = "Jamais"
    case.updated_at = clock.now() + timedelta(minutes=1)

    # when only its clock is written
    statements.update(case, ["updated_at"])

    # then the subject written meanwhile stays
    stored = Case.objects.get(pk=case.pk)
    assert (stored.subject, stored.updated_at) == ("Ailleurs", case.updated_at)


def test_update_many_writes_each_row_s_own_values_in_one_statement(
    django_assert_max_num_queries,
):
    # given three cases whose clocks changed in memory, one of them to no time at all
    customer = builders.customer()
    cases = [builders.case(customer=customer, subject=f"Sujet {n}") for n in range(3)]
    moment = clock.now() + timedelta(minutes=5)
    for n, case in enumerate(cases):
        case.subject = "Jamais"
        case.updated_at = moment + timedelta(minutes=n)
        case.awaiting_reply_since = None if n == 1 else moment
    untouched = builders.case(customer=customer, subject="Autre")

    # when their clocks are written together (one statement on PostgreSQL)
    limit = 1 if connection.vendor == "postgresql" else 3
    with django_assert_max_num_queries(limit):
        statements.update_many(cases, ["updated_at", "awaiting_reply_since"])

    # then each row has its own values, and nothing else changed
    stored = {c.pk: c for c in Case.objects.all()}
    for n, case in enumerate(cases):
        row = stored[case.pk]
        assert (row.subject, row.updated_at) == (f"Sujet {n}", moment + timedelta(minutes=n))
        assert row.awaiting_reply_since == (None if n == 1 else moment)
    assert stored[untouched.pk].updated_at == untouched.updated_at


@pytest.mark.postgresql  # compiled statements and writes together: PostgreSQL only
def test_writes_together_go_in_one_round_trip_and_get_their_keys():
    # given a case whose clock changes, and two customers to insert
    case = builders.case(customer=builders.customer())
    case.updated_at = clock.now() + timedelta(minutes=5)
    moment = clock.now()
    rows = [Customer(given_name=name, created_at=moment) for name in ("Anne", "Paul")]

    # when they are written together
    with CaptureQueriesContext(connection) as queries, statements.together():
        statements.update(case, ["updated_at"])
        statements.insert(rows[:1])
        statements.insert(rows[1:])
        assert rows[0].pk is None  # nothing sent yet

    # then one round trip wrote all three, and the new rows know their keys
    assert len(queries) == 1
    assert Case.objects.get(pk=case.pk).updated_at == case.updated_at
    assert sorted(Customer.objects.filter(given_name__in=["Anne", "Paul"]).values_list("pk")) == [
        (rows[0].pk,),
        (rows[1].pk,),
    ]


@pytest.mark.postgresql  # compiled statements and writes together: PostgreSQL only
def test_writes_together_are_not_sent_when_the_block_fails():
    # when the block fails after an insert was asked for
    with pytest.raises(ValueError), statements.together():
        statements.insert([Customer(given_name="Jamais", created_at=clock.now())])
        raise ValueError

    # then nothing was written
    assert not Customer.objects.filter(given_name="Jamais").exists()


def test_compiled_model_rows_carry_their_annotations():
    # given two customers, one with two identities
    from django.db.models import Count

    anne = builders.customer(given_name="Anne", family_name="A", email="anne@example.org")
    paul = builders.customer(given_name="Paul", family_name="P", email="paul@example.org")
    from suivi.customers.services import identity_add

    identity_add(customer=anne, kind="phone", value="06 12 34 56 78")
    counted = statements.Compiled(
        lambda pk: Customer.objects.filter(pk=pk).annotate(identity_count=Count("identities"))
    )

    # when each is read
    rows = [counted.first(pk=anne.pk), counted.first(pk=paul.pk)]

    # then each instance has its own count beside its fields
    assert [(c.given_name, c.identity_count) for c in rows] == [("Anne", 2), ("Paul", 1)]
