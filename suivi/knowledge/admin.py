from django.contrib import admin

from .models import Article, ArticleVersion


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ("number", "title", "status", "publish_at", "published_at", "retired_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only: publication goes through the knowledge pages, which keep the rules."""

    list_display = ("pk", "topic", "kind", "language", "created_at")
    list_filter = ("kind", "language")
    search_fields = ("topic",)
    readonly_fields = ("kind", "topic", "language", "translation_group", "created_at", "created_by")
    inlines = [VersionInline]

    def has_add_permission(self, request: object) -> bool:
        return False
