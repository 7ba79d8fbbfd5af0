"""/api/v1/assets: customers' products, devices and contracts, and their service record."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from suivi.conversations import selectors as files
from suivi.core.pagination import keyset_page
from suivi.core.text import excerpt
from suivi.scheduling import assets, selectors
from suivi.scheduling.models import Asset, AssetLink

from .auth import current_advisor
from .schemas import PageOut, PageQuery

router = Router(tags=["assets"])

KindName = Literal[tuple(Asset.Kind.values)]  # type: ignore[valid-type]


class AssetIn(Schema):
    customer_id: int
    kind: KindName = "device"  # type: ignore[valid-type]
    model: str = Field(max_length=160)
    serial_number: str = Field("", max_length=80)
    purchase_date: date | None = None
    warranty_ends_on: date | None = None
    notes: str = Field("", max_length=10_000)


class AssetPatch(Schema):
    kind: KindName | None = None  # type: ignore[valid-type]
    model: str | None = Field(None, max_length=160)
    serial_number: str | None = Field(None, max_length=80)
    purchase_date: date | None = None
    warranty_ends_on: date | None = None
    notes: str | None = Field(None, max_length=10_000)


class AssetOut(Schema):
    id: int
    customer_id: int
    kind: str
    model: str
    serial_number: str
    purchase_date: date | None
    warranty_ends_on: date | None
    notes: str


class AssetSearch(PageQuery):
    serial: str = Field("", max_length=80)
    customer_id: int | None = None


class LinkIn(Schema):
    case_id: int | None = None


class RecordLineOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    case_id: int | None
    interaction_id: int | None
    appointment_id: int | None
    title: str


def _line(line: AssetLink) -> dict:
    if line.case is not None:
        title = line.case.subject
    elif line.interaction is not None:
        title = excerpt(line.interaction.text)
    else:
        assert line.appointment is not None
        title = f"{line.appointment.appointment_type.label()} · {line.appointment.location.name}"
    return {
        "id": line.pk,
        "kind": line.kind,
        "occurred_at": line.occurred_at,
        "case_id": line.case_id,
        "interaction_id": line.interaction_id,
        "appointment_id": line.appointment_id,
        "title": title,
    }


@router.post("", response={201: AssetOut})
def create_asset(request: HttpRequest, payload: AssetIn) -> Status[Asset]:
    customer = files.customer_access(
        advisor=current_advisor(request), customer_id=payload.customer_id
    )
    data = payload.model_dump(exclude={"customer_id"})
    return Status(201, assets.asset_create(customer=customer, **data))


@router.get("", response=PageOut[AssetOut])
def list_assets(request: HttpRequest, query: Query[AssetSearch]) -> dict:
    found = assets.assets_search(
        queryset=selectors.assets_visible_to(current_advisor(request)),
        serial=query.serial,
        customer_id=query.customer_id,
    )
    page = keyset_page(found, field="pk", descending=True, cursor=query.cursor, limit=query.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{int:asset_id}", response=AssetOut)
def get_asset(request: HttpRequest, asset_id: int) -> Asset:
    return selectors.asset_access(advisor=current_advisor(request), asset_id=asset_id)


@router.patch("/{int:asset_id}", response=AssetOut)
def update_asset(request: HttpRequest, asset_id: int, payload: AssetPatch) -> Asset:
    asset = selectors.asset_access(advisor=current_advisor(request), asset_id=asset_id)
    return assets.asset_update(asset=asset, changes=payload.model_dump(exclude_unset=True))


@router.post("/{int:asset_id}/links", response={201: AssetOut})
def link_case(request: HttpRequest, asset_id: int, payload: LinkIn) -> Status[Asset]:
    """Put a case (and, from then on, its interactions) on the asset's record."""
    advisor = current_advisor(request)
    asset = selectors.asset_access(advisor=advisor, asset_id=asset_id)
    if payload.case_id is not None:
        case = files.case_access(advisor=advisor, case_id=payload.case_id)
        assets.asset_link(asset=asset, case=case)
    return Status(201, asset)


@router.get("/{int:asset_id}/record", response=PageOut[RecordLineOut])
def service_record(request: HttpRequest, asset_id: int, query: Query[PageQuery]) -> dict:
    asset = selectors.asset_access(advisor=current_advisor(request), asset_id=asset_id)
    page = assets.service_record_page(asset=asset, cursor=query.cursor, limit=query.limit)
    return {"items": [_line(line) for line in page.items], "next_cursor": page.next_cursor}
