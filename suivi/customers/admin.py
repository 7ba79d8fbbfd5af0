from django.contrib import admin

from .models import Customer, CustomerMerge, Identity, PossibleDuplicate


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ["kind", "value", "created_at"]
    readonly_fields = ["kind", "value", "created_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    # Writes go through the services (normalisation, duplicates); the admin only reads.
    list_display = ["__str__", "language", "dedicated_advisor", "created_at"]
    list_select_related = ["dedicated_advisor"]
    search_fields = ["family_key", "given_key"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Customer._meta.concrete_fields]
    inlines = [IdentityInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(admin.ModelAdmin):
    list_display = ["customer", "other", "reason", "status", "detected_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "other"]
    raw_id_fields = ["customer", "other"]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(admin.ModelAdmin):
    list_display = ["kept", "duplicate_id", "merged_by", "merged_at"]
    list_select_related = ["kept", "merged_by"]
    readonly_fields = [f.name for f in CustomerMerge._meta.concrete_fields]
