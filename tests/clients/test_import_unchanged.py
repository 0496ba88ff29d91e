"""A file uploaded again: the clients it holds as they are on record are reported unchanged and left alone."""

from django.core.files.uploadedfile import SimpleUploadedFile

from clients.importing import import_documents, read_upload
from clients.models import Client, PendingImport

HEADER = "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team"
FILE = f"{HEADER}\nC-1,Ann,Lee,1960-01-02,,,DPN,tara\nC-2,Bo,Ng,1961-03-04,,,CIPN,tara\n"


def run(text, dry_run=False):
    docs, labels = read_upload("clients.csv", text.encode())
    return import_documents(docs, dry_run=dry_run, labels=labels, csv=True)


def upload(admin, text):
    return admin.post("/clients/import/", {"file": SimpleUploadedFile("clients.csv", text.encode(), "text/csv")})


def test_a_client_the_file_holds_as_on_record_is_unchanged_and_keeps_its_version_and_history(therapist):
    assert run(FILE).saved
    ann = Client.objects.get(external_id="C-1")
    version, history = ann.version, ann.history.count()
    report = run(FILE.replace("Bo,Ng", "Bob,Ng"))
    assert report.saved, report.error_messages()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    ann.refresh_from_db()
    assert (ann.version, ann.history.count()) == (version, history)
    assert Client.objects.get(external_id="C-2").first_name == "Bob"


def test_the_check_of_a_file_that_changes_nothing_offers_no_import(login, clinic_admin, therapist):
    admin = login(clinic_admin)
    upload(admin, FILE)
    admin.post("/clients/import/", {"confirm": PendingImport.objects.get().token})
    assert Client.objects.count() == 2
    response = upload(admin, FILE)
    page = response.content.decode()
    assert "0 to create · 0 to update · 2 unchanged" in page
    assert "Nothing to import: every client in this file is on record as the file has it." in page
    assert 'name="confirm"' not in page
    assert page.count('<span class="badge text-bg-secondary">Unchanged</span>') == 2 and ">Update<" not in page
    assert PendingImport.objects.count() == 1  # the first file's, confirmed; none waits for this one


def test_the_check_counts_only_the_clients_the_file_changes_as_updates(login, clinic_admin, therapist):
    assert run(FILE).saved
    response = upload(login(clinic_admin), FILE.replace("1961-03-04", "1961-03-05"))
    page = response.content.decode()
    assert "0 to create · 1 to update · 1 unchanged" in page
    assert "Import 1 client<" in page
