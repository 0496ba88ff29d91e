from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Client, Condition, PhysicianClearance


class ConditionInline(admin.TabularInline):
    model = Condition
    extra = 0
    can_delete = False
    fields = ["code", "location", "side", "value", "detail", "noted_on", "resolved_on", "entered_in_error"]


class ClearanceInline(admin.TabularInline):
    model = PhysicianClearance
    extra = 0
    can_delete = False
    fields = ["physician", "cleared_on", "restrictions"]


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "external_id", "neuropathy_type", "archived_at"]
    list_filter = ["neuropathy_type"]
    search_fields = ["last_name", "first_name", "external_id"]
    filter_horizontal = ["care_team"]
    readonly_fields = ["version", "archived_at", "archived_by"]
    inlines = [ConditionInline, ClearanceInline]

    # Records are archived from the client page, never deleted.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Condition)
class ConditionAdmin(SimpleHistoryAdmin):
    list_display = ["client", "code", "location", "side", "noted_on", "resolved_on", "entered_in_error"]
    list_filter = ["code"]
    raw_id_fields = ["client"]

    def has_delete_permission(self, request, obj=None):
        return False
