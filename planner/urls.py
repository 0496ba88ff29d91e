from django.contrib.auth import views as auth_views
from django.urls import include, path

from clients import urls as clients_urls

from .views import (
    accounts,
    attachments,
    calendar_feed,
    client_pages,
    clinic,
    letters,
    mfa,
    plan_documents,
    plans,
    records,
    schedule,
)

planner_patterns = [
    path("", accounts.dashboard, name="dashboard"),
    path("team/", accounts.team_list, name="team"),
    path("team/new/", accounts.team_new, name="team-new"),
    path("team/locks/", accounts.team_locks, name="team-locks"),
    path("team/locks/lift/", accounts.team_lock_lift, name="team-lock-lift"),
    path("team/<int:pk>/edit/", accounts.team_edit, name="team-edit"),
    path("team/<int:pk>/access/", accounts.team_access, name="team-access"),
    path("team/<int:pk>/mfa-reset/", accounts.team_mfa_reset, name="team-mfa-reset"),
    path("team/<int:pk>/password/", accounts.team_password, name="team-password"),
    path("team/<int:pk>/deactivate/", accounts.team_deactivate, name="team-deactivate"),
    path("team/<int:pk>/reactivate/", accounts.team_reactivate, name="team-reactivate"),
    path("clinic/settings/", clinic.clinic_settings, name="clinic-settings"),
    path("calendar/", calendar_feed.calendar_settings, name="calendar-settings"),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="calendar-feed"),
    path("plans/", schedule.schedule, name="schedule"),
    path("plans/new/", plans.plan_new, name="plan-new"),
    path("plans/late/", schedule.plan_late, name="plan-late"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>.json", plan_documents.plan_json, name="plan-json"),
    path("plans/<int:pk>/save/", plans.plan_save, name="plan-save"),
    path("plans/<int:pk>/rebuild/", plans.plan_rebuild, name="plan-rebuild"),
    path("plans/<int:pk>/fit/", plans.plan_fit, name="plan-fit"),
    path("plans/<int:pk>/cancel/", plans.plan_cancel, name="plan-cancel"),
    path("plans/<int:pk>/reschedule/", plans.plan_reschedule, name="plan-reschedule"),
    path("plans/<int:pk>/print/", plan_documents.plan_print, name="plan-print"),
    path("plans/<int:pk>/record/", records.record_edit, name="record-edit"),
    path("plans/<int:pk>/record/finding/", records.finding_add, name="record-finding"),
    path("records/<int:pk>/", records.record_detail, name="record-detail"),
    path("records/<int:pk>/addenda/", records.addendum_add, name="record-addendum"),
    path("records/<int:pk>/print/", records.record_print, name="record-print"),
    path("clients/<int:pk>/letters/new/", letters.letter_new, name="letter-new"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter-detail"),
    path("clients/<int:pk>/attachments/new/", attachments.attachment_new, name="attachment-new"),
    path("attachments/<int:pk>/", attachments.attachment_file, name="attachment-file"),
    path("clients/<int:pk>/plan-preview.json", plan_documents.plan_preview_json, name="plan-preview"),
]

# The client page and the client document show the planner's plans and records, so the planner
# serves them, under the clients app's names ("clients:detail", "clients:export-json").
client_patterns = [
    *clients_urls.urlpatterns,
    path("<int:pk>/", client_pages.client_detail, name="detail"),
    path("<int:pk>/sessions/", client_pages.client_sessions, name="sessions"),
    path("<int:pk>/documents/", client_pages.client_documents, name="documents"),
    path("<int:pk>/export.json", client_pages.export_json, name="export-json"),
    path("<int:pk>/fhir.json", client_pages.fhir_json, name="fhir-json"),
    path("<int:pk>/archive/confirm/", client_pages.archive_confirm, name="archive-confirm"),
]

urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/", mfa.mfa_page, name="mfa"),
    path("accounts/keep-alive/", accounts.keep_alive, name="keep-alive"),
    path("accounts/mfa/recovery-codes/", mfa.recovery_codes, name="mfa-recovery-codes"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("", include((planner_patterns, "planner"))),
    path("protocols/", include("protocols.urls")),
    path("clients/", include((client_patterns, clients_urls.app_name))),
]

handler400 = "planner.views.errors.bad_request"
handler500 = "planner.views.errors.server_error"
