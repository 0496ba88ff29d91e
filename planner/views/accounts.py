from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clients.access import AccessKind, record_access
from clients.models import AccessEvent, Client
from clients.roles import is_clinic_admin, therapists
from clients.views import access_page
from planner import lockout, mfa
from planner.account_forms import (
    ROLE_CHOICES,
    NewStaffForm,
    OwnPasswordForm,
    StaffForm,
    TemporaryPasswordForm,
    role_of,
    set_role,
)
from planner.middleware import SESSION_KEY, idle_seconds_left, touch
from planner.models import PlanStatus, SessionPlan, SessionRecord, StaffProfile, day_start
from protocols.versioning import StaleVersion, claim_version

User = get_user_model()

manage_team = permission_required("auth.change_user", raise_exception=True)
# The access log names roles as the Team page does ("Therapist and clinic admin"), not by their form keys.
ROLE_LABELS = dict(ROLE_CHOICES)


def _staff_for(request, pk):
    """A staff account an admin may manage; never a superuser created from the shell."""
    return get_object_or_404(User, pk=pk, is_superuser=False)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if StaffProfile.must_change(user):
            self.request.session[SESSION_KEY] = True
        mfa.hold_after_password(self.request, user)
        if mfa.is_pending(self.request):
            self.request.session[mfa.NEXT_SESSION_KEY] = self.get_success_url()
            return redirect("mfa")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.GET.get("mfa_reset"):
            context["signed_out_because"] = "Your two-factor sign-in was reset: sign in again."
        elif self.request.GET.get("idle"):
            context["signed_out_because"] = (
                f"You were signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity, "
                "or at the end of the working day. Sign in again to go on."
            )
        return context


@login_required
@require_http_methods(["GET", "POST"])
def keep_alive(request):
    """POST, 'Stay signed in': the idle clock starts again. GET: how long is left, the clock left as
    it is (a page's timer asks before it warns or leaves, since another tab may have kept the session
    alive). Both answer the seconds left."""
    if request.method == "POST":
        touch(request)
    return JsonResponse({"seconds_left": idle_seconds_left(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordForm
    success_url = reverse_lazy("planner:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        StaffProfile.objects.filter(user=self.request.user).update(must_change_password=False)
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, "Your password has been changed.")
        return response

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "temporary": bool(self.request.session.get(SESSION_KEY))}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["must_change"] = bool(self.request.session.get(SESSION_KEY))
        return context


# The dashboard lists this many of the past sessions with no record, the latest first.
NOT_RECORDED_ON_DASHBOARD = 10
# The dashboard lists this many of the day's sessions (a clinic admin's day holds the whole
# clinic's); the schedule shows them all, a day at a time.
TODAY_ON_DASHBOARD = 12


@login_required
def dashboard(request):
    today = timezone.localdate()
    admin = is_clinic_admin(request.user)  # the lists name each plan's therapist for a clinic admin only
    plans = SessionPlan.objects.for_user(request.user).booked().for_plan_list(with_therapist=admin)
    # A session whose record is started but not signed says so: its plan still reads "Ready".
    started = SessionRecord.objects.filter(plan=OuterRef("pk")).unsigned()
    today_plans = list(
        plans.on_days(today)
        .annotate(record_started=Exists(started))
        .order_by("scheduled_for", "pk")[: TODAY_ON_DASHBOARD + 1]
    )
    today_more = 0
    if len(today_plans) > TODAY_ON_DASHBOARD:
        today_more = plans.on_days(today).count() - TODAY_ON_DASHBOARD
        today_plans = today_plans[:TODAY_ON_DASHBOARD]
    context = {
        "today_plans": today_plans,
        "today_more": today_more,
        "upcoming_plans": plans.filter(scheduled_for__gte=day_start(today, after=1), status=PlanStatus.READY).order_by(
            "scheduled_for"
        )[:8],
        "drafts": plans.filter(status=PlanStatus.DRAFT, scheduled_for__gte=day_start(today)).order_by("scheduled_for")[
            :10
        ],
        # Sessions of earlier days still booked (draft or ready) with no record begun: neither recorded nor
        # cancelled, they would leave every list at midnight.
        "not_recorded": plans.filter(
            scheduled_for__lt=day_start(today), status__in=(PlanStatus.DRAFT, PlanStatus.READY)
        )
        .exclude(Exists(SessionRecord.objects.filter(plan=OuterRef("pk"))))
        .order_by("-scheduled_for", "-pk")[:NOT_RECORDED_ON_DASHBOARD],
        # Their own drafts, of clients still on their care team: off it, the record is no longer theirs to open.
        "unsigned_records": SessionRecord.objects.for_user(request.user)
        .filter(therapist=request.user)
        .unsigned()
        .filter(started_at__lt=timezone.now() - timedelta(days=1))
        .select_related("client", "plan")
        # The list reads the time, the client's name and the plan's late-entry flag, not the records'
        # notes or the plans' JSON snapshots (kilobytes each).
        .only("plan_id", "started_at", "client__first_name", "client__last_name", "plan__late_entry")
        .order_by("started_at"),
    }
    context["not_recorded_limit"] = NOT_RECORDED_ON_DASHBOARD
    return render(request, "planner/dashboard.html", context)


@login_required
@manage_team
def team_list(request):
    show = request.GET.get("show", "active")
    staff = User.objects.filter(is_superuser=False).order_by("last_name", "first_name", "username")
    if show == "inactive":
        staff = staff.filter(is_active=False)
    elif show != "all":
        show = "active"
        staff = staff.filter(is_active=True)
    staff = staff.prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
    return render(request, "planner/team_list.html", {"staff": staff, "show": show})


@login_required
@manage_team
def team_access(request, pk):
    """What one account read, and what was done to the account."""
    member = _staff_for(request, pk)
    context = {"member": member, "page": access_page(request, AccessEvent.objects.about_account(member))}
    return render(request, "planner/team_access.html", context)


@login_required
@manage_team
def team_locks(request):
    """Sign-in locks in force now, each with a button to lift it."""
    return render(request, "planner/team_locks.html", {"locks": lockout.current_locks()})


@login_required
@manage_team
@require_POST
def team_lock_lift(request):
    username = request.POST.get("username", "")
    ip_address = request.POST.get("ip_address") or None
    if not username:
        messages.error(request, "Choose a lock to lift.")
        return redirect("planner:team-locks")
    if lockout.lift(username, ip_address):
        account = User.objects.filter(username=username).first()
        where = f"from {ip_address}" if ip_address else "everywhere"
        record_access(request, AccessKind.LOCK_LIFT, subject=account, ref=f"{username} {where}")
        messages.success(request, f"The sign-in lock of {username} {where} is lifted.")
    else:
        messages.info(request, f"{username} was no longer locked.")
    return redirect("planner:team-locks")


@login_required
@manage_team
def team_new(request):
    form = NewStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.username = form.cleaned_data["username"]
            user.set_password(form.cleaned_data["temporary_password"])
            user.save()
            set_role(user, form.cleaned_data["role"])
            StaffProfile.objects.create(user=user, must_change_password=True)
            role = ROLE_LABELS[form.cleaned_data["role"]]
            record_access(request, AccessKind.ACCOUNT_CREATED, subject=user, ref=role)
        messages.success(
            request,
            f"Account {user.username} created. They must choose their own password when they first sign in.",
        )
        return redirect("planner:team")
    return render(request, "planner/team_form.html", {"form": form, "title": "New staff account"})


def _save_staff(request, member, form):
    """Save an account's names, e-mail and role if nobody saved it since the form was opened."""
    with transaction.atomic():
        claim_version(member.staff_profile, form.cleaned_data["version"])
        if form.has_changed():
            form.save()
        before = role_of(member)
        set_role(member, form.cleaned_data["role"])
        if before != form.cleaned_data["role"]:
            change = f"{ROLE_LABELS[before]} to {ROLE_LABELS[form.cleaned_data['role']]}"
            record_access(request, AccessKind.ROLE_CHANGE, subject=member, ref=change)


@login_required
@manage_team
def team_edit(request, pk):
    member = _staff_for(request, pk)
    form = StaffForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        if member == request.user and form.cleaned_data["role"] == "therapist":
            form.add_error("role", "You cannot remove your own clinic admin role.")
        else:
            try:
                _save_staff(request, member, form)
            except StaleVersion as stale:
                form.add_error(None, str(stale))
                form.refresh_version(stale.current_version)
            else:
                messages.success(request, f"Account {member.username} updated.")
                return redirect("planner:team")
    password_form = TemporaryPasswordForm(user=member)
    context = {
        "form": form,
        "member": member,
        "password_form": password_form,
        "title": f"Edit {member.username}",
        "mfa_enrolled": mfa.is_enrolled(member),
    }
    return render(request, "planner/team_form.html", context)


@login_required
@manage_team
@require_POST
def team_password(request, pk):
    member = _staff_for(request, pk)
    if member == request.user:
        # A temporary password would skip the current-password check, and end this very session.
        messages.error(request, "Change your own password on the Change password page: it asks for your current one.")
        return redirect("planner:team-edit", member.pk)
    form = TemporaryPasswordForm(request.POST, user=member)
    if form.is_valid():
        with transaction.atomic():
            member.set_password(form.cleaned_data["temporary_password"])
            member.save(update_fields=["password"])
            StaffProfile.objects.update_or_create(user=member, defaults={"must_change_password": True})
            record_access(request, AccessKind.PASSWORD_RESET, subject=member)
        messages.success(request, f"Temporary password set for {member.username}.")
        return redirect("planner:team")
    context = {
        "form": StaffForm(instance=member),
        "member": member,
        "password_form": form,
        "title": f"Edit {member.username}",
        "mfa_enrolled": mfa.is_enrolled(member),
    }
    return render(request, "planner/team_form.html", context, status=400)


@login_required
@manage_team
@require_POST
def team_mfa_reset(request, pk):
    """A lost phone: remove someone's authenticator and recovery codes; they set it up again."""
    member = _staff_for(request, pk)
    if member == request.user:
        messages.error(request, "Another clinic admin must reset your own two-factor sign-in.")
    elif mfa.is_enrolled(member):
        mfa.reset(member)
        record_access(request, AccessKind.MFA_RESET, subject=member)
        messages.success(request, f"Two-factor sign-in of {member.username} reset: they set it up again next time.")
    return redirect("planner:team-edit", member.pk)


@login_required
@manage_team
@require_POST
def team_deactivate(request, pk):
    member = _staff_for(request, pk)
    if member == request.user:
        messages.error(request, "You cannot deactivate your own account.")
    elif member.is_active:
        with transaction.atomic():
            member.is_active = False
            member.save(update_fields=["is_active"])
            record_access(request, AccessKind.ACCOUNT_DEACTIVATED, subject=member)
        messages.success(request, f"Account {member.username} deactivated. They can no longer sign in.")
        if left := _left_behind(member):
            messages.warning(request, f"{member.get_full_name() or member.username} {left}.")
    return redirect("planner:team")


def _left_behind(member):
    """What a deactivated therapist leaves to others, in words ("" when nothing): sessions to come,
    clients with no other active therapist on their care team, and records only they can sign."""
    coming = SessionPlan.objects.filter(
        therapist=member, status__in=(PlanStatus.DRAFT, PlanStatus.READY), scheduled_for__gte=timezone.now()
    ).count()
    others = therapists().exclude(pk=member.pk)
    alone = Client.objects.active().filter(care_team=member).exclude(care_team__in=others).count()
    parts = []
    if coming:
        # A plan stays with its therapist: another therapist books the session anew.
        them = "them" if coming != 1 else "it"
        parts.append(
            f"still has {coming} session{'s' if coming != 1 else ''} coming up: "
            f"cancel {them} and book {them} with another therapist"
        )
    if alone:
        parts.append(
            f"was the only active therapist of {alone} client{'s' if alone != 1 else ''}: "
            "add another therapist to their care team"
        )
    if unsigned := SessionRecord.objects.filter(therapist=member).unsigned().count():
        # A record is signed by its own therapist, and a deactivated account cannot sign in.
        parts.append(
            f"left {unsigned} session record{'s' if unsigned != 1 else ''} unsigned: "
            f"only they can sign {'them' if unsigned != 1 else 'it'}, once the account is reactivated"
        )
    return "; ".join(parts)


@login_required
@manage_team
@require_POST
def team_reactivate(request, pk):
    member = _staff_for(request, pk)
    if not member.is_active:
        with transaction.atomic():
            member.is_active = True
            member.save(update_fields=["is_active"])
            record_access(request, AccessKind.ACCOUNT_REACTIVATED, subject=member)
        messages.success(request, f"Account {member.username} reactivated.")
    return redirect("planner:team")
