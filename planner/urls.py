from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import accounts as views

planner_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("team/", views.team_list, name="team"),
    path("team/new/", views.team_new, name="team-new"),
    path("team/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("team/<int:pk>/password/", views.team_password, name="team-password"),
    path("team/<int:pk>/deactivate/", views.team_deactivate, name="team-deactivate"),
    path("team/<int:pk>/reactivate/", views.team_reactivate, name="team-reactivate"),
]

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("protocols/", include("protocols.urls")),
    path("clients/", include("clients.urls")),
    path("", include((planner_patterns, "planner"))),
]
