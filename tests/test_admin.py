import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from . import builders

pytestmark = pytest.mark.django_db


def test_every_admin_list_and_detail_page_renders(admin):
    # given one row of each kind
    customer = builders.customer(advisor=admin, phone="0612345678")
    case = builders.case(customer=customer)
    builders.inbound(case)
    client = Client()
    client.force_login(admin.user)

    for model in admin_site_models():
        meta = model._meta
        # when
        listing = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        row = model._default_manager.first()
        detail = (
            client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk]))
            if row
            else None
        )
        # then
        assert listing.status_code == 200, meta.label
        assert detail is None or detail.status_code == 200, meta.label


def admin_site_models():
    return [m for m in admin.site._registry if m._meta.app_label != "auth"]
