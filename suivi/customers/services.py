"""Every write about customers: creation, identities, duplicates and merges."""

import difflib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext_lazy as _

from suivi.core import clock, db, statements
from suivi.core.errors import Conflict, InvalidInput, NotFound
from suivi.core.text import search_key
from suivi.core.vocabulary import Channel, Language, is_choice
from suivi.people.models import Advisor, Team

from . import tasks
from .identities import Normalised, normalise
from .models import Customer, CustomerMerge, Identity, PossibleDuplicate

UPDATABLE_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "address_as",
        "language",
        "preferred_channel",
        "contact_hours",
        "dedicated_advisor",
    }
)
# Names at least this similar (difflib ratio on the accent-free full name) are flagged.
NAME_SIMILARITY = 0.9
Reason = PossibleDuplicate.Reason
_SHARED_IDENTITY_REASON: dict[str, "PossibleDuplicate.Reason"] = {
    Identity.Kind.EMAIL: Reason.SAME_EMAIL,
    Identity.Kind.PHONE: Reason.SAME_PHONE,
}


class IdentityTaken(Conflict):
    code = "identity_taken"
    default_message = _("Another customer already has this identity.")


class MergeWithItself(InvalidInput):
    code = "merge_with_itself"
    default_message = _("A customer cannot be merged with itself.")


class MergeConflict(Conflict):
    code = "merge_conflict"
    default_message = _("Both customers hold a record that only one customer may have.")


class CustomerNameRequired(InvalidInput):
    code = "name_required"
    default_message = _("A customer needs a given name or a family name.")


@dataclass(frozen=True)
class IdentityInput:
    kind: str
    value: str


def _normalise_all(identities: Iterable[IdentityInput]) -> list[Normalised]:
    seen: dict[tuple[str, str], Normalised] = {}
    for item in identities:
        normalised = normalise(item.kind, item.value)
        seen[(normalised.kind, normalised.value)] = normalised
    return list(seen.values())


def _refuse_taken(normalised: list[Normalised]) -> None:
    if not normalised:
        return
    condition = models.Q()
    for item in normalised:
        condition |= models.Q(kind=item.kind, value=item.value)
    taken = Identity.objects.filter(condition).first()
    if taken is not None:
        raise IdentityTaken(kind=taken.kind, value=taken.value)


def _refuse_unknown_choices(*, language: str | None, preferred_channel: str | None) -> None:
    if language is not None and not is_choice(Language, language):
        raise InvalidInput(
            _("Unknown language: %(language)s.") % {"language": language}, field="language"
        )
    if preferred_channel and not is_choice(Channel, preferred_channel):
        raise InvalidInput(
            _("Unknown channel: %(channel)s.") % {"channel": preferred_channel},
            field="preferred_channel",
        )


@contextmanager
def _identity_race(normalised: Normalised | None = None) -> Iterator[None]:
    """Another request may take the same identity between our check and our insert: the
    unique constraint then decides, and the loser gets the same IdentityTaken."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if normalised is None:
            raise IdentityTaken() from error
        raise IdentityTaken(kind=normalised.kind, value=normalised.value) from error


def _set_name_keys(customer: Customer) -> None:
    customer.given_key = search_key(customer.given_name)[:120]
    customer.family_key = search_key(customer.family_name)[:120]


@transaction.atomic
def customer_create(
    *,
    given_name: str,
    family_name: str,
    address_as: str = "",
    language: str = "fr",
    preferred_channel: str = "",
    contact_hours: str = "",
    dedicated_advisor: Advisor | None = None,
    team: Team | None = None,
    identities: Iterable[IdentityInput] = (),
    detect_duplicates: bool = True,
) -> Customer:
    """Create a customer with their identities. The customer follows the dedicated
    advisor's team, else `team` (usually the creator's), so that someone can see them.
    `detect_duplicates=False`: the caller has the duplicate detection run (inbound
    e-mail processing runs it once for all the customers of a batch)."""
    if not (given_name.strip() or family_name.strip()):
        raise CustomerNameRequired()
    _refuse_unknown_choices(language=language, preferred_channel=preferred_channel)
    normalised = _normalise_all(identities)
    _refuse_taken(normalised)
    moment = clock.now()
    customer = Customer(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        address_as=address_as.strip(),
        language=language,
        preferred_channel=preferred_channel,
        contact_hours=contact_hours,
        dedicated_advisor=dedicated_advisor,
        team_id=(dedicated_advisor.team_id if dedicated_advisor else None)
        or (team.pk if team else None),
        created_at=moment,
    )
    _set_name_keys(customer)
    customer.save()
    with _identity_race():
        Identity.objects.bulk_create(
            Identity(
                customer=customer,
                kind=item.kind,
                value=item.value,
                loose_value=item.loose_value,
                created_at=moment,
            )
            for item in normalised
        )
    if detect_duplicates:
        transaction.on_commit(lambda: tasks.detect_duplicates.enqueue(customer_id=customer.pk))
    return customer


def customer_create_for_identity(
    *,
    identity: IdentityInput,
    given_name: str,
    family_name: str,
    language: str = "fr",
    preferred_channel: str = "",
) -> tuple[Customer, bool]:
    """The customer holding `identity`, created now (with these names) if nobody holds it
    yet: the customer and whether they were created. For a contact from an address the
    caller just looked up and did not find (an inbound e-mail's sender).

    PostgreSQL: one statement inserts the customer and their identity, the identity
    `ON CONFLICT DO NOTHING`; no savepoint, no error to catch, no read of the identity
    the caller has just looked up. When another worker created the same sender a moment
    ago, our customer row (seen by nobody) is deleted and theirs returned. The caller has
    the duplicate detection run (as `customer_create(detect_duplicates=False)`).
    Raises InvalidIdentity for an identity that is not valid, before any write and
    outside any atomic block: inside a caller's transaction without savepoints, an error
    leaving an atomic block would doom that transaction."""
    normalised = normalise(identity.kind, identity.value)
    if not (given_name.strip() or family_name.strip()):
        raise CustomerNameRequired()
    _refuse_unknown_choices(language=language, preferred_channel=preferred_channel)
    return _create_for_identity(
        normalised, identity, given_name, family_name, language, preferred_channel
    )


@transaction.atomic
def _create_for_identity(
    normalised: Normalised,
    identity: IdentityInput,
    given_name: str,
    family_name: str,
    language: str,
    preferred_channel: str,
) -> tuple[Customer, bool]:
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        try:
            # Elsewhere (SQLite), the savepoint lets the caller's transaction go on.
            with db.savepoints(), transaction.atomic():
                customer = customer_create(
                    given_name=given_name, family_name=family_name, language=language,
                    preferred_channel=preferred_channel, identities=[identity],
                    detect_duplicates=False,
                )  # fmt: skip
        except IdentityTaken:
            return _holder(normalised), False
        return customer, True
    moment = clock.now()
    customer = Customer(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        language=language,
        preferred_channel=preferred_channel,
        created_at=moment,
    )
    _set_name_keys(customer)
    insert_customer, customer_params = statements.insert_statement([customer], connection)
    meta = Identity._meta
    quote = connection.ops.quote_name
    columns = ("customer_id", "kind", "value", "loose_value", "created_at")
    # Fixed column names; every value is a parameter.
    sql = (
        f"WITH c AS ({insert_customer}), i AS (INSERT INTO {quote(meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(c) for c in columns)}) "
        "SELECT c.id, %s, %s, %s, %s FROM c ON CONFLICT (kind, value) DO NOTHING "
        "RETURNING id) SELECT c.id, i.id FROM c LEFT JOIN i ON true"
    )
    params = [*customer_params, normalised.kind, normalised.value, normalised.loose_value, moment]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        customer_id, identity_id = cursor.fetchone()
        if identity_id is None:
            # Taken meanwhile by another worker's new customer: ours never existed.
            cursor.execute(
                f"DELETE FROM {quote(Customer._meta.db_table)} WHERE id = %s",  # noqa: S608
                [customer_id],
            )
            return _holder(normalised), False
    customer.pk = customer_id
    customer._state.adding, customer._state.db = False, connection.alias
    return customer, True


def _holder(normalised: Normalised) -> Customer:
    return Customer.objects.get(
        identities__kind=normalised.kind, identities__value=normalised.value
    )


@transaction.atomic
def customer_update(*, customer: Customer, changes: dict[str, Any]) -> Customer:
    """Apply `changes` (field name -> new value) and save only those fields."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise InvalidInput(fields=sorted(unknown))
    values = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    # Check before touching the instance, so a refused change leaves it as it was.
    if not (
        values.get("given_name", customer.given_name)
        or values.get("family_name", customer.family_name)
    ):
        raise CustomerNameRequired()
    _refuse_unknown_choices(
        language=values.get("language"), preferred_channel=values.get("preferred_channel")
    )
    for field, value in values.items():
        setattr(customer, field, value)
    fields = set(changes)
    if "dedicated_advisor" in changes:
        advisor = changes["dedicated_advisor"]
        # An advisor without a team (an admin) must not leave the customer without one.
        if advisor is not None and advisor.team_id is not None:
            customer.team_id = advisor.team_id
            fields.add("team")
    if {"given_name", "family_name"} & fields:
        _set_name_keys(customer)
        fields |= {"given_key", "family_key"}
    customer.save(update_fields=sorted(fields))
    if {"given_name", "family_name"} & fields:
        transaction.on_commit(lambda: tasks.detect_duplicates.enqueue(customer_id=customer.pk))
    return customer


@transaction.atomic
def identity_add(*, customer: Customer, kind: str, value: str) -> tuple[Identity, bool]:
    """Give the customer one more identity; adding one they already hold is a no-op.
    Returns the identity and whether it was created."""
    normalised = normalise(kind, value)
    existing = Identity.objects.filter(kind=normalised.kind, value=normalised.value).first()
    if existing is not None:
        if existing.customer_id != customer.pk:
            raise IdentityTaken(kind=existing.kind, value=existing.value)
        return existing, False
    with _identity_race(normalised):
        identity = Identity.objects.create(
            customer=customer,
            kind=normalised.kind,
            value=normalised.value,
            loose_value=normalised.loose_value,
            created_at=clock.now(),
        )
    transaction.on_commit(lambda: tasks.detect_duplicates.enqueue(customer_id=customer.pk))
    return identity, True


def _reverse_relations() -> list[models.ForeignObjectRel]:
    """Every relation that points at Customer, hidden ones included, from every app."""
    relations: list[models.ForeignObjectRel] = []
    for field in Customer._meta.get_fields(include_hidden=True):
        # A many-to-many is moved through the foreign key of its (hidden) through table.
        if isinstance(field, models.ManyToManyRel):
            continue
        if isinstance(field, models.ForeignObjectRel) and field.auto_created:
            relations.append(field)
    return relations


def _move_review_pairs(*, keep: Customer, duplicate: Customer) -> int:
    """Pairs with a third customer now concern the kept one. Stored once, lowest id
    first; when the kept one already has that pair, a dismissal on either side wins."""
    involving = models.Q(customer=duplicate) | models.Q(other=duplicate)
    existing = {
        (pair.other_id if pair.customer_id == keep.pk else pair.customer_id): pair
        for pair in PossibleDuplicate.objects.filter(
            models.Q(customer=keep) | models.Q(other=keep)
        ).exclude(involving)
    }
    drop, move, dismiss = [], [], []
    for pair in PossibleDuplicate.objects.filter(involving):
        third = pair.other_id if pair.customer_id == duplicate.pk else pair.customer_id
        already = existing.get(third)
        if third == keep.pk or already is not None:
            drop.append(pair.pk)
            if already is not None and pair.status == PossibleDuplicate.Status.DISMISSED:
                dismiss.append(already.pk)
            continue
        pair.customer_id, pair.other_id = min(keep.pk, third), max(keep.pk, third)
        move.append(pair)
    PossibleDuplicate.objects.filter(pk__in=drop).delete()
    PossibleDuplicate.objects.filter(pk__in=dismiss).update(
        status=PossibleDuplicate.Status.DISMISSED
    )
    PossibleDuplicate.objects.bulk_update(move, ["customer", "other"])
    return len(move)


@transaction.atomic
def customers_merge(*, keep: Customer, duplicate: Customer, by: Advisor | None) -> Customer:
    """Fold `duplicate` into `keep`, then delete it.

    Rows of every table that points at a customer move to the kept one, found through
    the model registry so that a table added later cannot be forgotten.
    """
    if keep.pk == duplicate.pk:
        raise MergeWithItself(customer_id=keep.pk)
    # Lock both rows, lowest id first, so that two concurrent merges cannot interleave.
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    if keep.pk not in locked or duplicate.pk not in locked:
        # Deleted meanwhile, most likely merged by someone else while we waited.
        missing = keep.pk if keep.pk not in locked else duplicate.pk
        raise NotFound(customer_id=missing)
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    snapshot = {
        "given_name": duplicate.given_name,
        "family_name": duplicate.family_name,
        "address_as": duplicate.address_as,
        "language": duplicate.language,
        "preferred_channel": duplicate.preferred_channel,
        "contact_hours": duplicate.contact_hours,
        "dedicated_advisor_id": duplicate.dedicated_advisor_id,
        "created_at": duplicate.created_at.isoformat(),
    }
    moved: dict[str, int] = {}
    # Pairs must stay ordered and unique, which a plain UPDATE of one column cannot keep.
    if pairs := _move_review_pairs(keep=keep, duplicate=duplicate):
        moved[f"{PossibleDuplicate._meta.label}"] = pairs
    for relation in _reverse_relations():
        model = cast(type[models.Model], relation.related_model)
        field = relation.field
        label = f"{model._meta.label}.{field.name}"
        manager = model._base_manager
        if relation.one_to_one and manager.filter(**{field.name: keep}).exists():
            if manager.filter(**{field.name: duplicate}).exists():
                raise MergeConflict(relation=label)
            continue
        try:
            # A savepoint, so that a unique constraint of a later table becomes a clear
            # MergeConflict instead of a broken transaction.
            with transaction.atomic():
                count = manager.filter(**{field.name: duplicate}).update(**{field.name: keep})
        except IntegrityError as error:
            raise MergeConflict(relation=label) from error
        if count:
            moved[label] = count
    fill = [
        name
        for name in (
            "given_name",
            "family_name",
            "address_as",
            "preferred_channel",
            "contact_hours",
            "dedicated_advisor",
        )
        if not getattr(keep, name) and getattr(duplicate, name)
    ]
    for name in fill:
        setattr(keep, name, getattr(duplicate, name))
    if {"given_name", "family_name"} & set(fill):
        _set_name_keys(keep)
        fill += ["given_key", "family_key"]
    if "dedicated_advisor" in fill:
        # The customer follows the dedicated advisor's team, as on creation.
        gained = cast(Advisor, duplicate.dedicated_advisor)
        keep.team_id = gained.team_id or keep.team_id or duplicate.team_id
        fill.append("team")
    if fill:
        keep.save(update_fields=fill)
    CustomerMerge.objects.create(
        kept=keep,
        duplicate_id=duplicate.pk,
        duplicate_snapshot=snapshot,
        moved=moved,
        merged_by=by,
        merged_at=clock.now(),
    )
    duplicate.delete()
    transaction.on_commit(lambda: tasks.detect_duplicates.enqueue(customer_id=keep.pk))
    return keep


def _similar(a: str, b: str) -> bool:
    return bool(a and b) and difflib.SequenceMatcher(None, a, b).ratio() >= NAME_SIMILARITY


# Names compared for each customer at most (the closest first letters of family names).
_NAMESAKES_PER_CUSTOMER = 200
# Identities shared with others read at most, per customer compared (an address many
# customers have, such as a shop's, must not flood the review list).
_SHARED_PER_CUSTOMER = 50


def _duplicate_reasons(
    customers: list[tuple[int, str, str]],
) -> dict[int, dict[int, "PossibleDuplicate.Reason"]]:
    """For each (id, given key, family key): the other customers that may be the same
    person, and why. Three statements whatever the number of customers."""
    ids = [pk for pk, _given, _family in customers]
    reasons: dict[int, dict[int, PossibleDuplicate.Reason]] = {pk: {} for pk in ids}
    # Only the same kind counts: a customer number may well read like a phone number.
    holders: dict[tuple[str, str], set[int]] = {}
    for pk, kind, loose in Identity.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "kind", "loose_value"
    ):
        holders.setdefault((kind, loose), set()).add(pk)
    if holders:
        by_kind: dict[str, set[str]] = {}
        for kind, loose in holders:
            by_kind.setdefault(kind, set()).add(loose)
        same = models.Q()
        for kind, values in by_kind.items():
            same |= models.Q(kind=kind, loose_value__in=sorted(values))
        shared = Identity.objects.filter(same).values_list("customer_id", "kind", "loose_value")
        for other_id, kind, loose in shared[: _SHARED_PER_CUSTOMER * len(ids)]:
            reason = _SHARED_IDENTITY_REASON.get(kind, Reason.SAME_IDENTITY)
            for pk in holders.get((kind, loose), ()):
                if other_id != pk:
                    reasons[pk].setdefault(other_id, reason)
    named = [(pk, given, family) for pk, given, family in customers if family]
    full_names = {pk: f"{given} {family}" for pk, given, family in named}
    for pk, other_id, other_given, other_family in _namesakes(named):
        if _similar(full_names[pk], f"{other_given} {other_family}"):
            reasons[pk].setdefault(other_id, Reason.SIMILAR_NAME)
    return reasons


def _namesakes(named: list[tuple[int, str, str]]) -> list[tuple[int, int, str, str]]:
    """(customer id, other id, other's given key, other's family key) for each customer's
    candidates: the family name's first letters, and the given or the family name
    exactly; at most _NAMESAKES_PER_CUSTOMER each. One statement (each customer's own
    query, limited, in a UNION ALL) where the database allows it, else one each."""
    queries = [
        Customer.objects.filter(
            # The prefix as an expression: a plain value would be rewritten into its pattern.
            models.Q(family_key__startswith=models.Value(family[:3]))
            & (models.Q(given_key=given) | models.Q(family_key=family))
        )
        .exclude(pk=pk)
        .order_by()
        .annotate(of=models.Value(pk, output_field=models.BigIntegerField()))
        .values_list("of", "pk", "given_key", "family_key")[:_NAMESAKES_PER_CUSTOMER]
        for pk, given, family in named
    ]
    if not queries:
        return []
    if len(queries) == 1 or not connection.features.supports_slicing_ordering_in_compound:
        return [row for query in queries for row in query]
    return list(queries[0].union(*queries[1:], all=True))


def _flag_duplicates(reasons: dict[int, dict[int, "PossibleDuplicate.Reason"]]) -> int:
    """Store the pairs (each once, whichever way it was found); those already known
    stay as they are. Returns how many pairs were found."""
    moment = clock.now()
    pairs: dict[tuple[int, int], PossibleDuplicate] = {}
    for pk, found in reasons.items():
        for other_id, reason in found.items():
            key = (min(pk, other_id), max(pk, other_id))
            pairs.setdefault(
                key,
                PossibleDuplicate(
                    customer_id=key[0], other_id=key[1], reason=reason, detected_at=moment
                ),
            )
    if pairs:
        PossibleDuplicate.objects.bulk_create(list(pairs.values()), ignore_conflicts=True)
    return len(pairs)


@transaction.atomic
def duplicates_detect(*, customer_id: int) -> list[PossibleDuplicate]:
    """Flag customers that may be the same person as `customer_id`. Idempotent."""
    row = Customer.objects.filter(pk=customer_id).values_list("pk", "given_key", "family_key")
    customers = list(row)
    if not customers or not _flag_duplicates(_duplicate_reasons(customers)):
        return []
    return list(
        PossibleDuplicate.objects.filter(
            models.Q(customer_id=customer_id) | models.Q(other_id=customer_id)
        ).filter(status=PossibleDuplicate.Status.OPEN)
    )


@transaction.atomic
def duplicates_detect_many(*, customer_ids: list[int]) -> int:
    """`duplicates_detect` for several customers at once (the new senders of a batch of
    inbound messages): the same pairs, in a few statements for all. Returns how many
    pairs were found (new or already known)."""
    customers = list(
        Customer.objects.filter(pk__in=customer_ids).values_list("pk", "given_key", "family_key")
    )
    if not customers:
        return 0
    return _flag_duplicates(_duplicate_reasons(customers))


@transaction.atomic
def duplicate_dismiss(*, pair: PossibleDuplicate) -> PossibleDuplicate:
    pair.status = PossibleDuplicate.Status.DISMISSED
    pair.save(update_fields=["status"])
    return pair
