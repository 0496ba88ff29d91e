"""The client list as CSV, and the import of client files (check, then confirm once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from .access import AccessKind, record_access
from .documents import CSV_COLUMNS, csv_chunks
from .forms import (
    ImportForm,
)
from .import_files import WINDOWS_1252, decode_upload, ignored_csv_columns
from .importing import ImportFileError, import_documents, is_csv, read_upload
from .models import Client, PendingImport
from .views import can_import

# Export and import.


@login_required
@can_import
def export_csv(request):
    clients = Client.objects.for_user(request.user).active().order_by("last_name", "first_name", "pk")
    record_access(request, AccessKind.CSV_EXPORT, ref="all clients")
    response = StreamingHttpResponse(csv_chunks(clients), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clients-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@login_required
@can_import
def import_clients(request):
    """Upload and check (a dry run), then confirm: the confirmed import is of the very file checked, once."""
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            docs, labels = read_upload(upload.name, data)
            text, encoding = decode_upload(upload.name, data)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            report = import_documents(docs, dry_run=True, labels=labels, csv=is_csv(upload.name))
            context.update({"report": report, "name": upload.name, "read_as_windows_1252": encoding == WINDOWS_1252})
            if is_csv(upload.name):
                context["ignored_columns"] = ignored_csv_columns(text)
                context["read_columns"] = CSV_COLUMNS
            if report.ok and report.to_import:  # a file that changes nothing has nothing to confirm
                pending = PendingImport.start(upload.name, text, request.user)
                context["token"] = pending.token
    return render(request, "clients/import.html", context)


def _confirm_import(request):
    token = request.POST["confirm"]
    with transaction.atomic():
        pending = PendingImport.claim(token, request.user)
        if pending is None:
            if PendingImport.objects.filter(token=token, confirmed_at__isnull=False).exists():
                messages.info(request, "This file was already imported; it was not imported again.")
                return redirect("clients:list")
            messages.error(request, "That import has expired or was replaced by another upload; upload the file again.")
            return redirect("clients:import")
        docs, labels = read_upload(pending.name, pending.content.encode("utf-8"))
        report = import_documents(docs, dry_run=False, labels=labels, csv=is_csv(pending.name))
    if report.saved:
        unchanged = f", {report.unchanged} unchanged" if report.unchanged else ""
        messages.success(
            request, f"Imported {pending.name}: {report.created} created, {report.updated} updated{unchanged}."
        )
        return redirect("clients:list")
    context = {"form": ImportForm(), "report": report, "name": pending.name}
    return render(request, "clients/import.html", context)
