from django.contrib import admin

from .models import AdvisorPresence, Capacity, RoutingDecision


@admin.register(AdvisorPresence)
class AdvisorPresenceAdmin(admin.ModelAdmin):
    list_display = ["advisor", "status", "updated_at"]
    list_select_related = ["advisor"]


@admin.register(Capacity)
class CapacityAdmin(admin.ModelAdmin):
    list_display = ["advisor", "channel", "limit"]
    list_select_related = ["advisor"]


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = ["decided_at", "customer", "channel", "advisor", "reason_code", "reason"]
    list_select_related = ["customer", "advisor"]
    raw_id_fields = ["customer", "case", "advisor"]
