from django.urls import path

from . import assessment_views, condition_views, import_views, views

app_name = "clients"

# The client page (`<id>/`, name "detail") and the client document (`<id>/export.json`, name
# "export-json") show plans and records, which this app knows nothing of: planner/urls.py adds
# them to this namespace, served by planner/views/client_pages.py.

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_new, name="new"),
    path("import/", import_views.import_clients, name="import"),
    path("export.csv", import_views.export_csv, name="export-csv"),
    path("attention/", views.clients_needing_attention, name="attention"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/profile/", views.client_profile, name="profile"),
    path("<int:pk>/history/", views.client_history, name="history"),
    path("<int:pk>/measures/", views.client_measures, name="measures"),
    path("<int:pk>/access/", views.client_access, name="access"),
    path("<int:pk>/archive/", views.client_archive, name="archive"),
    path("<int:pk>/restore/", views.client_restore, name="restore"),
    path("<int:pk>/conditions/new/", condition_views.condition_new, name="condition-new"),
    path("<int:pk>/conditions/<int:condition_pk>/edit/", condition_views.condition_edit, name="condition-edit"),
    path(
        "<int:pk>/conditions/<int:condition_pk>/resolve/", condition_views.condition_resolve, name="condition-resolve"
    ),
    path(
        "<int:pk>/conditions/<int:condition_pk>/entered-in-error/",
        condition_views.condition_entered_in_error,
        name="condition-error",
    ),
    path("<int:pk>/clearances/new/", condition_views.clearance_new, name="clearance-new"),
    path("<int:pk>/clearances/<int:clearance_pk>/edit/", condition_views.clearance_edit, name="clearance-edit"),
    path("<int:pk>/monofilament/new/", assessment_views.monofilament_new, name="monofilament-new"),
    path("<int:pk>/monofilament/<int:test_pk>/", assessment_views.monofilament_detail, name="monofilament-detail"),
    path(
        "<int:pk>/monofilament/<int:test_pk>/resolve/",
        assessment_views.monofilament_resolve,
        name="monofilament-resolve",
    ),
    path("<int:pk>/mnsi/new/", assessment_views.mnsi_new, name="mnsi-new"),
    path("<int:pk>/mnsi/form/", assessment_views.mnsi_blank, name="mnsi-blank"),
    path("<int:pk>/mnsi/<int:mnsi_pk>/", assessment_views.mnsi_detail, name="mnsi-detail"),
]
