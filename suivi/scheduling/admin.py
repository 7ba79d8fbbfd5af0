from django.contrib import admin

from .models import AdvisorSchedule, Appointment, AppointmentType, Asset, Callback, Location, Visit


class ScheduleInline(admin.TabularInline):
    model = AdvisorSchedule
    extra = 0
    autocomplete_fields = ["advisor"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "time_zone", "is_active"]
    inlines = [ScheduleInline]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ["label_fr", "label_en", "duration_minutes", "is_public"]
    filter_horizontal = ["locations"]


class ReadOnly(admin.ModelAdmin):
    # Writes go through the services (locks, e-mails, promises); the admin only reads.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnly):
    list_display = ["starts_at", "location", "appointment_type", "advisor", "status"]
    list_select_related = ["location", "appointment_type", "advisor"]
    list_filter = ["status", "location"]
    raw_id_fields = ["customer", "case"]
    show_full_result_count = False


@admin.register(Visit)
class VisitAdmin(ReadOnly):
    list_display = ["name", "location", "status", "arrived_at"]
    list_select_related = ["location"]
    raw_id_fields = ["customer", "appointment", "interaction"]


@admin.register(Callback)
class CallbackAdmin(ReadOnly):
    list_display = ["customer", "window_starts_at", "window_ends_at", "status"]
    raw_id_fields = ["customer", "case"]


@admin.register(Asset)
class AssetAdmin(ReadOnly):
    list_display = ["model", "serial_number", "kind", "customer"]
    search_fields = ["serial_number"]
    raw_id_fields = ["customer"]
