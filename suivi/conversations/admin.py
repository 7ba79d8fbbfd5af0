from django.contrib import admin

from .models import Case, Handoff


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    # Cases change through the services (clocks, handoffs); the admin only reads.
    list_display = ["__str__", "customer", "status", "owner", "opened_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "owner"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Case._meta.concrete_fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    list_display = ["case", "from_advisor", "to_advisor", "created_at", "seen_at"]
    list_select_related = ["case", "from_advisor", "to_advisor"]
    readonly_fields = [f.name for f in Handoff._meta.concrete_fields]
