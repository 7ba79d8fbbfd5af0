from django.contrib import admin

from .chat.models import ChatWidget


@admin.register(ChatWidget)
class ChatWidgetAdmin(admin.ModelAdmin):
    list_display = ["name", "public_key", "team", "languages", "is_active"]
    list_select_related = ["team"]
    readonly_fields = ["public_key", "created_at"]
    fields = [
        "name",
        "public_key",
        "secret",
        "allowed_origins",
        "team",
        "languages",
        "is_active",
        "created_at",
    ]
