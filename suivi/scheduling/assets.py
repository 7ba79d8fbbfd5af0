"""Assets and their service record ("carnet de santé").

The record is one link table (asset ↔ case, interaction or appointment) read newest
first with keyset pagination: one query per page, however long the asset's life. A new
interaction on a case linked to an asset joins the asset's record by itself (the
`interaction_recorded` event, subscribed in apps.py).
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core import clock, statements, work
from suivi.core.errors import InvalidInput
from suivi.core.pagination import Page, keyset_page
from suivi.customers.models import Customer

from .models import Appointment, Asset, AssetLink

# Unit-of-work memo (suivi.core.work): the cases this transaction linked an asset to.
_LINKED_CASES = "scheduling.linked_cases"
UPDATABLE = frozenset(
    {"kind", "model", "serial_number", "purchase_date", "warranty_ends_on", "notes"}
)


class ModelRequired(InvalidInput):
    code = "model_required"
    default_message = _("An asset needs a model or a name.")


class AssetOfAnotherCustomer(InvalidInput):
    code = "asset_of_another_customer"
    default_message = _("This asset belongs to another customer.")


def normalise_serial(value: str) -> str:
    """Serial numbers are compared without spaces, upper-case: 'c02 xk1' == 'C02XK1'."""
    return "".join(value.split()).upper()[:80]


def _check(kind: str | None, purchase: date | None, warranty: date | None) -> None:
    if kind is not None and kind not in Asset.Kind.values:
        raise InvalidInput(field="kind")
    if purchase and warranty and warranty < purchase:
        raise InvalidInput(
            _("The warranty cannot end before the purchase."), field="warranty_ends_on"
        )


@transaction.atomic
def asset_create(
    *,
    customer: Customer,
    model: str,
    kind: str = Asset.Kind.DEVICE,
    serial_number: str = "",
    purchase_date: date | None = None,
    warranty_ends_on: date | None = None,
    notes: str = "",
) -> Asset:
    if not model.strip():
        raise ModelRequired()
    _check(kind, purchase_date, warranty_ends_on)
    return Asset.objects.create(
        customer=customer,
        kind=kind,
        model=model.strip()[:160],
        serial_number=normalise_serial(serial_number),
        purchase_date=purchase_date,
        warranty_ends_on=warranty_ends_on,
        notes=notes.strip(),
        created_at=clock.now(),
    )


@transaction.atomic
def asset_update(*, asset: Asset, changes: dict[str, Any]) -> Asset:
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise InvalidInput(fields=sorted(unknown))
    if "model" in changes and not str(changes["model"] or "").strip():
        raise ModelRequired()
    _check(
        changes.get("kind"),
        changes.get("purchase_date", asset.purchase_date),
        changes.get("warranty_ends_on", asset.warranty_ends_on),
    )
    for field, value in changes.items():
        if field == "serial_number":
            value = normalise_serial(value or "")
        elif isinstance(value, str):
            value = value.strip()
        setattr(asset, field, value)
    asset.save(update_fields=sorted(changes))
    return asset


def asset_link(
    *,
    asset: Asset,
    case: Case | None = None,
    interaction: Interaction | None = None,
    appointment: Appointment | None = None,
) -> None:
    """Put a case, an interaction and/or an appointment on the asset's record; linking
    twice is a no-op. They must concern the asset's owner."""
    rows = []
    moment = clock.now()
    for thing, when, field in (
        (case, case.opened_at if case else None, "case"),
        (interaction, interaction.occurred_at if interaction else None, "interaction"),
        (appointment, appointment.starts_at if appointment else None, "appointment"),
    ):
        if thing is None:
            continue
        if thing.customer_id != asset.customer_id:
            raise AssetOfAnotherCustomer(asset_id=asset.pk)
        assert when is not None
        rows.append(AssetLink(asset=asset, occurred_at=when, created_at=moment, **{field: thing}))
    AssetLink.objects.bulk_create(rows, ignore_conflicts=True)
    if case is not None and (linked := work.memo(_LINKED_CASES)) is not None:
        linked[case.pk] = True


# Every interaction on a case asks it: compiled once.
_CASE_ASSETS: statements.Compiled[Any] = statements.Compiled(
    lambda case_id: AssetLink.objects.filter(case_id=case_id).values_list("asset_id")
)


def on_interaction_recorded(*, interaction: Interaction, case: Case | None, **_: Any) -> None:
    """An interaction on a case about an asset is about the asset too."""
    if case is None:
        return
    linked = work.memo(_LINKED_CASES)
    if conversations.case_opened_in_this_unit(case.pk) and case.pk not in (linked or {}):
        # Opened by this transaction, which linked no asset to it: there is none.
        return
    asset_ids = [asset_id for (asset_id,) in _CASE_ASSETS.rows(case_id=case.pk)]
    if asset_ids:
        moment = clock.now()
        AssetLink.objects.bulk_create(
            [
                AssetLink(
                    asset_id=asset_id,
                    interaction=interaction,
                    occurred_at=interaction.occurred_at,
                    created_at=moment,
                )
                for asset_id in asset_ids
            ],
            ignore_conflicts=True,
        )


# --- Reads --------------------------------------------------------------------------


def service_record_page(
    *, asset: Asset, cursor: str | None = None, limit: int = 50
) -> Page[AssetLink]:
    """Cases, interactions and appointments about the asset, newest first; one query."""
    lines = AssetLink.objects.filter(asset=asset).select_related(
        "case",
        "interaction",
        "interaction__author_advisor",
        "appointment",
        "appointment__appointment_type",
        "appointment__location",
    )
    return keyset_page(lines, field="occurred_at", descending=True, cursor=cursor, limit=limit)


def assets_search(
    *, queryset: QuerySet[Asset], serial: str = "", customer_id: int | None = None
) -> QuerySet[Asset]:
    """By serial number (exact, else prefix) and/or owner."""
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    key = normalise_serial(serial)
    if key:
        queryset = queryset.filter(serial_number__startswith=key)
    return queryset


def customer_assets(*, customer_id: int) -> list[Asset]:
    return list(Asset.objects.filter(customer_id=customer_id).order_by("-id")[:50])
