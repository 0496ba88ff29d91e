import json
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, Count, DateField, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from protocols.labels import and_list, sentence_case
from protocols.versioning import StaleVersion, claim_version
from protocols.vocabulary import LOCATION_LABELS, REGIONS, SIDES, SYMPTOMS

from . import bodymap, footmap, history, services, signals
from .access import AccessKind, record_access
from .assessments import MnsiQuestionnaire, MonofilamentTest, mnsi_due
from .forms import (
    ClientFilterForm,
    ClientForm,
    ProfileForm,
)
from .models import AccessEvent, CareTeamListing, Client, Condition, PhysicianClearance
from .roles import is_clinic_admin, staff_name, therapists
from .validators import DIAGNOSED_BEFORE_BIRTH, is_database_id

User = get_user_model()
PAGE_SIZE = 25
HISTORY_ON_PAGE = 8
# The access log's reference for the client page's recent changes (a HISTORY read of the newest alone).
RECENT_CHANGES_REF = "recent changes, on the client page"

admin_only = permission_required("clients.change_client", raise_exception=True)
can_create = permission_required("clients.add_client", raise_exception=True)
can_archive = permission_required("clients.archive_client", raise_exception=True)
can_import = permission_required("clients.import_clients", raise_exception=True)
clinical = permission_required("clients.change_profile", raise_exception=True)
can_add_condition = permission_required("clients.add_condition", raise_exception=True)
can_change_condition = permission_required("clients.change_condition", raise_exception=True)
can_add_clearance = permission_required("clients.add_physicianclearance", raise_exception=True)
can_change_clearance = permission_required("clients.change_physicianclearance", raise_exception=True)


CARE_TEAM_FIELDS = ("id", "username", "first_name", "last_name", "is_active")


def client_for(request, pk, **flags):
    """A client the user may see, with what the client page reads; 404 for anyone else's client.
    `flags`: annotations read with the client's row, such as page_flags().

    Public: the planner's pages of a client use it too.
    """
    # The care team as the pages name its members: not their password hashes and dates.
    team = Prefetch("care_team", queryset=User.objects.only(*CARE_TEAM_FIELDS))
    clients = Client.objects.for_user(request.user).prefetch_related(
        team, "clearances", Prefetch("conditions", queryset=Condition.objects.order_by("-noted_on", "pk"))
    )
    return get_object_or_404(clients.annotate(**flags) if flags else clients, pk=pk)


def visible_client(request, pk, **flags):
    """A client the user may see, alone (client_for reads what the client page shows with it), with
    `flags` read with its row; 404 for anyone else's client."""
    clients = Client.objects.for_user(request.user)
    return get_object_or_404(clients.annotate(**flags) if flags else clients, pk=pk)


def page_flags():
    """Whether the client has any monofilament test, and the day of the latest MNSI questionnaire (None
    for none), read with the client's row (client_for): the client page says whether the questionnaire
    is due without reading the questionnaires, and loads the measures panel only for a client with any."""
    questionnaires = MnsiQuestionnaire._meta.db_table
    latest = f'SELECT MAX(answered_on) FROM "{questionnaires}" WHERE client_id = "{Client._meta.db_table}".id'
    return {
        "has_monofilament_tests": client_has(MonofilamentTest._meta.db_table),
        "latest_mnsi_on": RawSQL(f"({latest})", (), DateField()),
    }


def client_has(table, join="", client_id=None):
    """Whether the client has a row in `table`, as an annotation of the client's own query: `client_id`
    the column naming the client (the table's client_id), in `table` or in a table `join` adds.
    Written out: the ORM's Exists took longer to build than the database took to answer it."""
    client_id = client_id or f'"{table}".client_id'
    rows = f'SELECT 1 FROM "{table}" {join} WHERE {client_id} = "{Client._meta.db_table}".id'
    return RawSQL(f"EXISTS ({rows})", (), BooleanField())


def _condition_for(request, client_pk, pk):
    client = client_for(request, client_pk)
    return client, get_object_or_404(Condition, client=client, pk=pk)


def _clearance_for(request, client_pk, pk):
    client = client_for(request, client_pk)
    return client, get_object_or_404(PhysicianClearance, client=client, pk=pk)


def _save_versioned(form, instance, save):
    """Save when the form's version is still current; otherwise put the refusal on the form. True when saved."""
    try:
        with transaction.atomic():
            claim_version(instance, form.cleaned_data["version"])
            save()
    except StaleVersion as stale:
        form.add_error(None, str(stale))
        form.refresh_version(stale.current_version)
        return False
    return True


# The list.


@login_required
def client_list(request):
    filters = ClientFilterForm(request.GET)
    status = filters.value("status", "active")
    query = filters.value("q").strip()
    neuropathy_type = filters.value("type")
    therapist = filters.value("therapist").strip()

    ids = _listed_ids(request.user, status, query, neuropathy_type, therapist)
    page = ClientPaginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's 25 ids come from the name-order index alone; only those rows are read and counted.
    # Only clients the user may see, whichever table chose the page's ids.
    rows = Client.objects.for_user(request.user).filter(pk__in=page.object_list)
    rows = rows.search(query) if query else rows.order_by("last_name", "first_name", "pk")
    page.object_list = _with_care_team_names(list(_with_condition_counts(rows)))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "clients": page.object_list,
        "count": page.paginator.count,
        "count_is_estimate": page.paginator.count_is_estimate,
        "count_display": f"{page.paginator.count:,}",
        "filters": filters,
        "status": status,
        "query": query,
        "neuropathy_type": neuropathy_type,
        "therapist": therapist,
        "therapists": list(therapists().only("username", "first_name", "last_name")),
        "querystring": params.urlencode(),
        "filtered": bool(query or neuropathy_type or therapist or status != "active"),
    }
    return render(request, "clients/list.html", context)


def _listed_ids(user, status, query, neuropathy_type, therapist):
    """The ids of the clients the list's filters keep, in name order unless a search ranks them.

    On PostgreSQL, one therapist's clients (no search, no type) are read from the care-team listing,
    whose index holds them in name order: a deep page of a large care team without the whole
    clinic's names. That is every client such a user may see when they may see all, or the team is
    their own."""
    if therapist and not (query or neuropathy_type) and connection.vendor == "postgresql":
        own = therapist == (str(user.pk) if is_database_id(therapist) else user.username)
        if user.has_perm("clients.view_all_clients") or (user.has_perm("clients.view_client") and own):
            listing = CareTeamListing.objects.filter(_therapist_filter(therapist, "user_id", "user__username"))
            if status in ("active", "archived"):
                listing = listing.filter(archived=status == "archived")
            return listing.order_by("last_name", "first_name", "client_id").values_list("client_id", flat=True)
    clients = Client.objects.for_user(user)
    if status == "active":
        clients = clients.active()
    elif status == "archived":
        clients = clients.archived()
    if query:
        clients = clients.search(query)
    if neuropathy_type:
        clients = clients.filter(neuropathy_type=neuropathy_type)
    if therapist:
        clients = clients.filter(_therapist_filter(therapist, "care_team__pk", "care_team__username"))
    clients = clients if query else clients.order_by("last_name", "first_name", "pk")
    return clients.values_list("pk", flat=True)


def _therapist_filter(therapist, by_id, by_username):
    """The list's ?therapist= (an account's id, or else a username) as a filter on the given fields."""
    return Q(**{by_id: int(therapist)}) if is_database_id(therapist) else Q(**{by_username: therapist})


class EstimatedPage(Page):
    """A page of a list whose total is PostgreSQL's estimate. The estimate can be off either way, so
    whether another page follows is read (one row more than a page), never worked out from it."""

    def __init__(self, rows, number, paginator):
        self.more = len(rows) > paginator.per_page
        super().__init__(rows[: paginator.per_page], number, paginator)

    def has_next(self):
        return self.more

    def next_page_number(self):
        return self.number + 1


class ClientPaginator(Paginator):
    """Counts exactly up to a thousand clients; above that PostgreSQL's estimate, which costs no scan
    (a broad search such as "smith" too). Pages of an estimate are numbered without an end."""

    EXACT_BELOW = 1000
    count_is_estimate = False

    @cached_property
    def count(self):
        if connection.vendor == "postgresql":
            plan = self.object_list.explain(format="json")
            # A queryset that can match nothing (a user with no role) runs no query and has no plan.
            estimate = json.loads(plan)[0]["Plan"]["Plan Rows"] if plan else 0
            if estimate >= self.EXACT_BELOW:
                self.count_is_estimate = True
                return estimate
        return self.object_list.count()

    def validate_number(self, number):
        self.count  # noqa: B018 (computing the count decides whether it is an estimate)
        if not self.count_is_estimate:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not a whole number.") from None
        if number < 1:
            raise PageNotAnInteger("Pages are numbered from 1.")  # get_page shows the first
        if number * self.per_page >= 2**63:
            raise EmptyPage("No list is that long.")  # beyond what a database can skip; get_page shows the last
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        # Past the end the page is empty, with a link back; the estimate never cuts the list short.
        bottom = (number - 1) * self.per_page
        return EstimatedPage(list(self.object_list[bottom : bottom + self.per_page + 1]), number, self)


def _with_condition_counts(clients):
    """Annotate active_conditions as the client page counts them: ongoing conditions, plus each kind
    of recent lab result or infusion once."""
    today = timezone.localdate()
    ongoing = Condition.objects.ongoing_on(today).filter(client=OuterRef("pk")).order_by().values("client")
    events = Condition.objects.recent_events_on(today).filter(client=OuterRef("pk")).order_by().values("client")
    return clients.annotate(
        active_conditions=Coalesce(
            Subquery(ongoing.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0)
        )
        + Coalesce(
            Subquery(events.annotate(n=Count("code", distinct=True)).values("n"), output_field=IntegerField()),
            Value(0),
        )
    )


def _with_care_team_names(clients):
    """Set care_team_names on each client, alphabetical: what the list's Care team column shows, the
    members named as on the client page (full name, or the username without one)."""
    # Names alone from the care-team table: a prefetch of whole users cost the page several
    # milliseconds (a user and a related manager built per row) to show one name each.
    names = defaultdict(list)
    members = Client.care_team.through.objects.filter(client__in=clients)
    for client_pk, *name in members.values_list("client", "user__first_name", "user__last_name", "user__username"):
        names[client_pk].append(staff_name(*name))
    for client in clients:
        client.care_team_names = sorted(names[client.pk], key=str.casefold)
    return clients


# Creating and editing a client.


@login_required
@can_create
def client_new(request):
    form = ClientForm(request.POST or None)
    profile = ProfileForm(request.POST or None)
    if request.method == "POST":
        valid = [form.is_valid(), profile.is_valid()]  # both, so every error shows at once
        born, diagnosed = form.cleaned_data.get("date_of_birth"), profile.cleaned_data.get("diagnosed_on")
        if born and diagnosed and diagnosed < born:
            profile.add_error("diagnosed_on", DIAGNOSED_BEFORE_BIRTH)
        if all(valid) and profile.is_valid():
            with transaction.atomic():
                client = form.save(commit=False)
                client.neuropathy_type = profile.cleaned_data["neuropathy_type"]
                client.diagnosed_on = diagnosed
                client.contributing_causes = profile.cleaned_data["contributing_causes"]
                client.symptoms = profile.cleaned_data["symptom_grid"]
                client.save()
                form.save_m2m()
            messages.success(request, f"{client} added. Record their health conditions and clearance here.")
            return redirect("clients:detail", client.pk)
    return render(request, "clients/new.html", {"form": form, "profile": profile})


def client_detail_context(request, client):
    """Everything the client page shows. The page itself (`/clients/<id>/`) is served by the planner,
    which adds the sessions panel: plans and records are the planner's."""
    today = timezone.localdate()
    meanings, clearance_for = services.meanings_and_clearance(client, today)
    active = [item.condition for group in meanings for item in group.items]
    body_map = bodymap.build(client, active, f"Body map of {client}: symptoms and active conditions")
    items = [item for group in meanings for item in group.items]
    for item, marker in zip(items, body_map.markers, strict=True):
        item.number, item.drawn = marker.number, marker.drawn
    clearance = client.latest_clearance(on=today)
    return {
        "client": client,
        "today": today,
        "meanings": meanings,
        "body_map": body_map,
        "past_conditions": client.earlier_conditions(today),
        "errors_conditions": [c for c in client.conditions.all() if c.entered_in_error],
        "clearance": clearance,
        "clearance_needed": bool(clearance_for),
        "clearance_wanted": _clearance_wanted(clearance_for),
        "clearance_age": clearance.age_in_days(today) if clearance else None,
        "clearances": sorted(client.clearances.all(), key=lambda c: (c.cleared_on, c.pk), reverse=True),
        "profile_rows": _profile_rows(client),
        "can_write": not client.is_archived,
        # The measures panel's lists load after the page (client_measures); it shows at once whether the
        # MNSI questionnaire is due, and, for a client with no measure, that there is none.
        "measures_later": client.has_monofilament_tests or client.latest_mnsi_on is not None,
        "mnsi_due": mnsi_due(client, client.latest_mnsi_on, today),
    }


def _clearance_wanted(titles):
    """Beside "None on file": what asks for a physician's clearance before a session today (the
    engine's plan of every place), or that nothing does."""
    if titles is None:
        return ""  # the engine could not plan: the conditions say why
    if not titles:
        return "A session today needs none."
    named = and_list([titles[0], *(sentence_case(title) for title in titles[1:])])
    return f"{named} {'needs' if len(titles) == 1 else 'need'} a physician's clearance before massage."


def assessments_context(client):
    """The client's monofilament tests and MNSI questionnaires, oldest first: three queries."""
    tests = list(client.monofilament_tests.select_related("therapist").prefetch_related("sites"))
    latest = tests[-1] if tests else None
    return {
        "monofilament_tests": tests,
        "latest_test": latest,
        "latest_foot_map": footmap.foot_map(latest, uid="fm-latest") if latest else "",
        "mnsi_questionnaires": list(client.mnsi_questionnaires.all()),
    }


# The access log's reference for the client page's measures panel (an ASSESSMENT read of the lists).
MEASURES_PANEL_REF = "measures, on the client page"


@login_required
def client_measures(request, pk):
    """The client's monofilament tests and MNSI questionnaires; with ?panel=1 the lists alone, as the
    client page's measures panel loads them once the page is shown (static/js/actions.js)."""
    client = visible_client(request, pk)
    panel = request.GET.get("panel") == "1"
    record_access(request, AccessKind.ASSESSMENT, client=client, ref=MEASURES_PANEL_REF if panel else "measures page")
    context = {"client": client, **assessments_context(client)}
    if panel:
        return render(request, "clients/_measures.html", context)
    latest = context["mnsi_questionnaires"][-1].answered_on if context["mnsi_questionnaires"] else None
    context["mnsi_due"] = mnsi_due(client, latest)
    context["can_write"] = not client.is_archived
    return render(request, "clients/measures.html", context)


def _profile_rows(client):
    rows = []
    for region in REGIONS:
        cells = [[SYMPTOMS[code] for code in client.symptoms_at(region, side)] for side in SIDES]
        rows.append({"label": LOCATION_LABELS[region], "right": cells[1], "left": cells[0]})
    return rows


@login_required
@admin_only
def client_edit(request, pk):
    return _edit_client(request, pk, ClientForm, "clients/edit.html", "Details of {} saved.", AccessKind.CLIENT_DETAILS)


@login_required
@clinical
def client_profile(request, pk):
    return _edit_client(
        request, pk, ProfileForm, "clients/profile.html", "Neuropathy profile of {} saved.", AccessKind.PROFILE
    )


def _edit_client(request, pk, form_class, template, saved, kind):
    """An edit page of the client's own fields: save only a change, and only on the version the form was built from.
    Showing the form is logged as `kind` (it shows the client's record); a save is in the change history."""
    client = client_for(request, pk)
    client.ensure_writable()
    team_before = {member.pk: member for member in client.care_team.all()}
    form = form_class(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, "Nothing was changed.")
            return redirect("clients:detail", client.pk)
        if _save_versioned(form, client, form.save):
            messages.success(request, saved.format(client))
            if "care_team" in form.cleaned_data:
                _tell_what_the_team_left(request, client, team_before, form.cleaned_data["care_team"])
            return redirect("clients:detail", client.pk)
    if form.is_bound:
        # Validating wrote the valid fields onto the client: the heading names the client as saved,
        # not a name typed in a form that was refused (the fields keep what was typed).
        client.refresh_from_db(fields=["first_name", "last_name"])
    record_access(request, kind, client=client)
    return render(request, template, {"form": form, "client": client})


def _tell_what_the_team_left(request, client, team_before, team_after):
    """After therapists were taken off the care team: what they leave behind (the planner says), as warnings."""
    kept = {member.pk for member in team_after}
    left = [member for pk, member in sorted(team_before.items()) if pk not in kept]
    if not left:
        return
    for _receiver, sentences in signals.care_team_left.send(sender=Client, client=client, users=left):
        for sentence in sentences or ():
            messages.warning(request, sentence)


@login_required
def client_history(request, pk):
    """The client's whole change history; with ?recent=1 its newest changes alone, as the client page's
    "Recent changes" panel loads them once the page is shown (static/js/actions.js)."""
    client = visible_client(request, pk)
    recent = request.GET.get("recent") == "1"
    # The access log tells the client page's panel (read with every view of the page) from the full history.
    record_access(request, AccessKind.HISTORY, client=client, ref=RECENT_CHANGES_REF if recent else "")
    if recent:
        context = {"client": client, "history": history.history_entries(client, limit=HISTORY_ON_PAGE)}
        return render(request, "clients/_history.html", context)
    context = {"client": client, "history": history.history_entries(client)}
    return render(request, "clients/history.html", context)


# The dashboard's panel lists this many clients needing attention; their own page up to ATTENTION_ALL.
ATTENTION_ON_DASHBOARD, ATTENTION_ALL = 8, 200


@login_required
def clients_needing_attention(request):
    """The clients needing attention (services.attention_panel): with ?panel=1 the dashboard's list, which
    it loads once it is shown (static/js/actions.js); else every one, on a page of its own. A cut list
    says so and links to the whole one instead of hiding the rest."""
    panel = request.GET.get("panel") == "1"
    limit = ATTENTION_ON_DASHBOARD if panel else ATTENTION_ALL
    entries, more = services.attention_panel(request.user, timezone.localdate(), limit=limit)
    context = {"entries": entries, "more": more, "limit": limit, "panel": panel}
    return render(request, "clients/_attention_list.html" if panel else "clients/attention.html", context)


# Rows of the access log on one page.
ACCESS_PAGE_SIZE = 50


def access_page(request, events):
    """One page of access log rows, newest first, with what each names."""
    events = events.select_related("actor", "subject", "client").order_by("-at", "-pk")
    return Paginator(events, ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def client_access(request, pk):
    """Who read this client's record, when and from where: for clinic admins."""
    if not is_clinic_admin(request.user):
        raise PermissionDenied("Only clinic admins read the access log.")
    client = visible_client(request, pk)
    context = {"client": client, "page": access_page(request, AccessEvent.objects.filter(client=client))}
    return render(request, "clients/access.html", context)


@login_required
@can_archive
@require_POST
def client_archive(request, pk):
    client = client_for(request, pk)
    if not client.is_archived:
        services.archive(client, request.user)
        messages.success(request, f"{client} archived. The record is kept and can be restored at any time.")
    return redirect("clients:detail", client.pk)


@login_required
@can_archive
@require_POST
def client_restore(request, pk):
    client = client_for(request, pk)
    if client.is_archived:
        left_behind = services.restore(client)
        messages.success(request, f"{client} restored.")
        for sentence in left_behind:
            messages.warning(request, sentence)
    return redirect("clients:detail", client.pk)
