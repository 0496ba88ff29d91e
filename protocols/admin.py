from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from protocols.models import NeuropathyType, ProtocolTemplate, Source, TemplateStep, TemplateVersion


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """The library is seeded by migrations and templates are edited in the app, where each save is
    versioned; here it is only looked at."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NeuropathyType)
class NeuropathyTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ["key", "title"]
    search_fields = ["title", "citation"]


class TemplateStepInline(admin.TabularInline):
    model = TemplateStep
    fields = ["order", "technique", "kind", "minutes", "pressure", "instruction"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ProtocolTemplate)
class ProtocolTemplateAdmin(ReadOnlyAdmin):
    list_display = ["key", "name", "region", "neuropathy_type", "version", "is_active"]
    list_filter = ["region", "is_active"]
    inlines = [TemplateStepInline]


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "version", "edited_by", "edited_at", "summary"]
    list_select_related = ["template", "edited_by"]
