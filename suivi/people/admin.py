from django.contrib import admin

from .models import Absence, Advisor, ApiToken, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    list_select_related = ["lead"]
    raw_id_fields = ["lead"]


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Advisor)
class AdvisorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "team", "role", "backup"]
    list_filter = ["team", "role"]
    list_select_related = ["team", "backup"]
    search_fields = ["display_name", "user__username"]
    raw_id_fields = ["user", "backup"]
    inlines = [AbsenceInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    raw_id_fields = ["user"]
