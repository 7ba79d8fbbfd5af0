from django.contrib import admin

from .models import Alert, BusinessCalendar, Closure, Policy, Promise


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "time_zone", "holiday_country", "holiday_subdivision"]
    list_select_related = ["team"]
    inlines = [ClosureInline]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "first_answer_minutes",
        "resolution_minutes",
        "callback_minutes",
        "at_risk_margin_minutes",
        "tell_customer_margin_minutes",
    ]
    list_select_related = ["team"]


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    # Promises change through the services (clocks, sweep); the admin only reads.
    list_display = ["__str__", "customer", "kind", "status", "due_at", "made_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "made_by"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Promise._meta.concrete_fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["promise", "advisor", "kind", "created_at", "read_at"]
    list_select_related = ["promise", "advisor"]
    readonly_fields = [f.name for f in Alert._meta.concrete_fields]
