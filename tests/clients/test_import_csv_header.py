"""The header of a client CSV as spreadsheets save it: capitals, blank lines before it, a "sep=," line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.importing import ImportFileError, import_documents, read_upload
from clients.models import Client

pytestmark = pytest.mark.django_db

HEADER = "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team"
ROW = "C-1,Ann,Lee,1960-01-02,,,DPN,tara"


@pytest.mark.parametrize(
    "text, label",
    [
        (f"{HEADER.upper()}\n{ROW}\n", "row 2"),
        (f"{HEADER.title()}\r\n{ROW}\r\n", "row 2"),
        (f"sep=,\n{HEADER}\n{ROW}\n", "row 3"),
        (f"\n\n{HEADER}\n{ROW}\n", "row 4"),
    ],
)
def test_a_header_as_a_spreadsheet_saves_it_is_read(therapist, text, label):
    docs, labels = read_upload("clients.csv", text.encode())
    assert labels == [label]
    report = import_documents(docs, labels=labels, csv=True)
    assert report.saved, report.error_messages()
    assert Client.objects.get().external_id == "C-1"


@pytest.mark.parametrize(
    "text, message",
    [
        ("\r\n\r\n", "The file is empty."),
        ("sep=,\n", "The file is empty."),
        ("sep=;\nexternal_id;first_name\n", "row 2 (header): missing columns last_name"),
        ("external_id|first_name\n", "row 1 (header): the columns are separated by '|', not by commas"),
        ("\nexternal_id,first_name\nC-1,Ann\n", "row 2 (header): missing columns last_name, date_of_birth"),
        ("\nexternal_id\nC-1\n", "row 2 (header): missing columns first_name, last_name"),
        (
            f"\ufeff\ufeff{HEADER}\n{ROW}\n",
            "row 1 (header): the column name ⟨U+FEFF⟩external_id holds a hidden character; "
            "remove it so that the name reads external_id.",
        ),
        (
            f"{HEADER.replace('last_name', 'last_name' + chr(0))}\n{ROW}\n",
            "row 1 (header): the column name last_name⟨U+0000⟩ holds a hidden character; "
            "remove it so that the name reads last_name.",
        ),
    ],
    ids=[
        "blank-lines",
        "separator-line",
        "semicolons",
        "bars",
        "missing",
        "missing-two",
        "second-bom",
        "null-character",
    ],
)
def test_a_header_that_cannot_be_read_names_its_row(text, message):
    with pytest.raises(ImportFileError) as refused:
        read_upload("clients.csv", text.encode())
    assert str(refused.value).startswith(message)


def test_a_column_the_import_does_not_read_is_named_on_the_check_page(login, clinic_admin, therapist):
    """A clinic's own spreadsheet may carry more columns: the check says which are left out."""
    import io

    text = f"{HEADER},Shoe_Size,notes\n{ROW},42,likes tea\n"
    upload = io.BytesIO(text.encode())
    upload.name = "clients.csv"
    page = login(clinic_admin).post("/clients/import/", {"file": upload}).content.decode()
    assert "The import does not read the columns shoe_size, notes: their values are left out." in page
    assert "It reads external_id, first_name, last_name" in page
    assert not Client.objects.exists()  # a check only


def test_a_file_with_only_the_columns_read_is_checked_without_a_warning(login, clinic_admin, therapist):
    import io

    upload = io.BytesIO(f"{HEADER}\n{ROW}\n".encode())
    upload.name = "clients.csv"
    assert (
        "does not read the column"
        not in login(clinic_admin).post("/clients/import/", {"file": upload}).content.decode()
    )


# What Excel saves, by language and by "Save as" type: each read as the same two clients.
SPREADSHEET_SAVES = {
    "semicolons (a comma is the decimal mark)": (
        "sep=;\n" + HEADER.replace(",", ";") + '\nC-1;Ann;Martínez;1960-01-02;;;DPN;"tara;sam"\n'
        "C-2;Bo;Núñez;1961-03-04;;;CIPN;tara\n"
    ).encode("utf-8"),
    "semicolons without a sep= line": (
        HEADER.replace(",", ";")
        + '\nC-1;Ann;Martínez;1960-01-02;;;DPN;"tara;sam"\nC-2;Bo;Núñez;1961-03-04;;;CIPN;tara\n'
    ).encode("utf-8"),
    "CSV (Comma delimited), Windows-1252": (
        HEADER + "\r\nC-1,Ann,Martínez,1960-01-02,,,DPN,tara;sam\r\nC-2,Bo,Núñez,1961-03-04,,,CIPN,tara\r\n"
    ).encode("cp1252"),
    "Unicode Text, UTF-16 with tabs": (
        HEADER.replace(",", "\t") + "\r\nC-1\tAnn\tMartínez\t1960-01-02\t\t\tDPN\ttara;sam\r\n"
        "C-2\tBo\tNúñez\t1961-03-04\t\t\tCIPN\ttara\r\n"
    ).encode("utf-16"),
}


@pytest.mark.parametrize("data", SPREADSHEET_SAVES.values(), ids=SPREADSHEET_SAVES.keys())
def test_a_file_as_excel_saves_it_in_any_language_is_read(therapist, second_therapist, data):
    docs, labels = read_upload("clients.csv", data)
    report = import_documents(docs, labels=labels, csv=True)
    assert report.saved, report.error_messages()
    ann, bo = Client.objects.order_by("external_id")
    assert (ann.last_name, bo.last_name) == ("Martínez", "Núñez")
    assert sorted(user.username for user in ann.care_team.all()) == ["sam", "tara"]


def test_a_file_read_as_windows_1252_says_so_on_the_check_page(login, clinic_admin, therapist, second_therapist):
    upload = SimpleUploadedFile("clients.csv", SPREADSHEET_SAVES["CSV (Comma delimited), Windows-1252"])
    page = login(clinic_admin).post("/clients/import/", {"file": upload}).content.decode()
    assert "it was read as Windows-1252" in page and "Martínez" in page
    utf8 = SimpleUploadedFile("clients.csv", SPREADSHEET_SAVES["semicolons (a comma is the decimal mark)"])
    assert "Windows-1252" not in login(clinic_admin).post("/clients/import/", {"file": utf8}).content.decode()


def test_semicolons_are_found_beside_a_column_whose_name_holds_a_comma(therapist, second_therapist):
    text = HEADER.replace(",", ";") + ";Notes, misc\nC-1;Ann;Lee;1960-01-02;;;DPN;tara;first visit, referred\n"
    docs, labels = read_upload("clients.csv", text.encode())
    assert [doc["last_name"] for doc in docs] == ["Lee"]


def test_a_utf8_file_with_one_broken_byte_is_refused_not_read_as_windows_1252(therapist):
    """Read as Windows-1252, José (right on record) would be imported as JosÃ©."""
    good = f"{HEADER}\nC-1,José,Lee,1960-01-02,,,DPN,tara\n".encode()
    broken = good + "C-2,Zoë,Ng,1961-03-04,,,DPN,tara\n".encode("cp1252")
    with pytest.raises(ImportFileError) as refused:
        read_upload("clients.csv", broken)
    assert (
        str(refused.value)
        == f"clients.csv: not UTF-8 text (byte {len(good) + 7:,} is not UTF-8); save it as UTF-8 and try again."
    )
