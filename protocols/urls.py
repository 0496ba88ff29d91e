from django.urls import path

from . import views

app_name = "protocols"

urlpatterns = [
    path("", views.library, name="library"),
    path("templates/new/", views.template_new, name="template-new"),
    path("templates/<slug:key>/", views.template_detail, name="template-detail"),
    path("templates/<slug:key>/edit/", views.template_edit, name="template-edit"),
    path("templates/<slug:key>/retire/", views.template_retire, name="template-retire"),
    path("templates/<slug:key>/restore/", views.template_restore, name="template-restore"),
]
