"""`{% customer_assets customer %}`: the customer's assets and coming appointments on
their file, the callbacks still to make, with links to book and to add an asset. Three
queries, whatever the counts."""

from typing import Any

from django import template

from suivi.customers.models import Customer
from suivi.scheduling.assets import customer_assets as assets_of
from suivi.scheduling.callbacks import callbacks_to_make
from suivi.scheduling.selectors import upcoming_appointments

register = template.Library()


@register.inclusion_tag("web/scheduling/_customer_assets.html")
def customer_assets(customer: Customer) -> dict[str, Any]:
    return {
        "customer": customer,
        "assets": assets_of(customer_id=customer.pk),
        "appointments": upcoming_appointments(customer_id=customer.pk),
        "callbacks": callbacks_to_make(customer_id=customer.pk),
    }
