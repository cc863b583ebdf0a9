"""Bulk import: every row checked, every error reported by row and field, all or nothing."""

from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from marketplace.catalog.management.commands.import_listings import Command
from marketplace.catalog.models import BatteryPack, BlackMassLot, Listing, ModuleLot, UsedVehicle

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

HEADER = (
    "listing_type,title,price,country,region,pack.serial_number,pack.manufacturer,"
    "pack.chemistry,pack.rated_capacity_kwh,pack.soh_pct\n"
)
GOOD_ROW = "battery_pack,Good pack,300000,JP,Fukuoka,SER-1,AESC,NMC532,40.00,85\n"
BAD_FILE = (
    HEADER
    + GOOD_ROW
    + "battery_pack,Bad chemistry,300000,JP,Fukuoka,SER-2,AESC,unobtainium,40.00,85\n"
    + "battery_pack,,12.5,JP,Fukuoka,SER-3,AESC,LFP,forty,85\n"
    + "battery_pack,Same serial as row 2,300000,JP,Fukuoka,SER-1,AESC,LFP,40.00,101\n"
)


def _run(argv: list[str]) -> int:
    """Run the command as manage.py does, returning its exit code.

    run_from_argv closes every database connection when it ends, which on PostgreSQL would
    close the test's own transaction; the command's behaviour is the same without that.
    """
    with mock.patch("django.core.management.base.connections.close_all"):
        try:
            Command().run_from_argv(["manage.py", "import_listings", *argv])
        except SystemExit as exit_:
            return int(exit_.code)
    return 0


def _nothing_imported() -> bool:
    return not any(
        model.objects.exists()
        for model in (Listing, BatteryPack, UsedVehicle, ModuleLot, BlackMassLot)
    )


def test_command_imports_the_example_csv_as_drafts(seller, capsys):
    code = _run([str(EXAMPLES / "listings.csv"), "--user", "seller", "--no-progress"])

    assert code == 0
    assert capsys.readouterr().out == "Imported 4 draft listing(s).\n"
    assert sorted(Listing.objects.values_list("listing_type", "status")) == [
        ("battery_pack", "draft"),
        ("black_mass", "draft"),
        ("module_lot", "draft"),
        ("used_ev", "draft"),
    ]
    assert set(Listing.objects.values_list("seller", flat=True)) == {seller.organisation_id}


def test_command_imports_the_example_json(seller, capsys):
    code = _run([str(EXAMPLES / "listings.json"), "--user", "seller", "--no-progress"])

    assert code == 0
    assert Listing.objects.count() == 3
    assert BlackMassLot.objects.get().fe_pct == Decimal("22.10")


def test_command_reports_every_error_with_row_and_field_and_imports_nothing(
    seller, tmp_path, capsys
):
    path = tmp_path / "packs.csv"
    path.write_text(BAD_FILE, encoding="utf-8")

    code = _run([str(path), "--user", "seller", "--no-progress"])

    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert err.splitlines() == [
        f'{path}: row 3, pack.chemistry: "unobtainium" is not a valid choice.',
        f"{path}: row 4, title: This field is required.",
        f"{path}: row 4, pack.rated_capacity_kwh: A valid number is required.",
        f"{path}: row 5, pack.soh_pct: Ensure this value is less than or equal to 100.",
        "CommandError: The file has 4 error(s); nothing was imported.",
    ]
    assert _nothing_imported()


def test_rows_clashing_with_each_other_are_reported(seller, tmp_path, capsys):
    path = tmp_path / "dupes.csv"
    path.write_text(HEADER + GOOD_ROW + GOOD_ROW.replace("Good pack", "Again"), encoding="utf-8")

    code = _run([str(path), "--user", "seller", "--no-progress"])

    assert code == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}: row 3, pack.serial_number: "
        "A pack with this serial number from this manufacturer already exists."
    )
    assert _nothing_imported()


def test_misspelt_columns_are_errors_not_silently_dropped(seller, tmp_path, capsys):
    path = tmp_path / "typo.csv"
    path.write_text(
        HEADER.replace("pack.soh_pct", "pack.soh") + GOOD_ROW,
        encoding="utf-8",
    )

    code = _run([str(path), "--user", "seller", "--no-progress"])

    assert code == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}: row 2, pack.soh: Unknown field; see docs/examples/README.md for the columns."
    )
    assert _nothing_imported()


def test_command_usage_errors_are_one_line_exit_2(seller, tmp_path, capsys):
    missing = _run([str(tmp_path / "nope.csv"), "--user", "seller"])
    assert (
        capsys.readouterr().err
        == f"CommandError: {tmp_path / 'nope.csv'}: No such file or directory\n"
    )
    wrong_type = _run([str(tmp_path / "listings.xlsx"), "--user", "seller"])
    assert "expected a .csv or .json file" in capsys.readouterr().err
    nobody = _run([str(EXAMPLES / "listings.csv"), "--user", "nobody"])
    assert capsys.readouterr().err == "CommandError: no user named 'nobody'\n"

    assert (missing, wrong_type, nobody) == (2, 2, 2)
    assert _nothing_imported()


def test_command_refuses_an_unverified_organisation(unverified_dealer, capsys):
    code = _run([str(EXAMPLES / "listings.csv"), "--user", "newcomer", "--no-progress"])

    assert code == 1
    assert "has not been verified" in capsys.readouterr().err
    assert _nothing_imported()


def test_broken_json_is_one_error(seller, tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('[{"title": "x",]', encoding="utf-8")

    code = _run([str(path), "--user", "seller", "--no-progress"])

    assert code == 1
    assert (
        capsys.readouterr().err.splitlines()[0].startswith(f"{path}: row 1, file: Not valid JSON:")
    )


# --- Upload page and API ---------------------------------------------------------------


def test_upload_page_shows_the_errors_in_a_table_and_imports_nothing(seller):
    client = Client()
    client.force_login(seller)
    upload = SimpleUploadedFile("packs.csv", BAD_FILE.encode(), content_type="text/csv")

    response = client.post("/catalog/import/", {"file": upload})

    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["errors"]] == [
        (3, "pack.chemistry"),
        (4, "title"),
        (4, "pack.rated_capacity_kwh"),
        (5, "pack.soh_pct"),
    ]
    assert '<table class="import-errors">' in response.content.decode()
    assert _nothing_imported()


def test_upload_page_imports_a_good_file(seller):
    client = Client()
    client.force_login(seller)
    upload = SimpleUploadedFile("listings.json", (EXAMPLES / "listings.json").read_bytes())

    response = client.post("/catalog/import/", {"file": upload})

    assert response.status_code == 302
    assert response["Location"] == "/catalog/mine/"
    assert Listing.objects.filter(seller=seller.organisation, status="draft").count() == 3


def test_upload_page_refuses_a_binary_file(seller):
    client = Client()
    client.force_login(seller)
    upload = SimpleUploadedFile("listings.csv", b"\x89PNG\r\n\x1a\n\x00\x00")

    response = client.post("/catalog/import/", {"file": upload})

    assert response.status_code == 400
    assert response.context["form"].errors == {"file": ["The file is not text."]}
    assert _nothing_imported()


def test_api_import_reports_rows_in_the_error_fields(authed, seller):
    upload = SimpleUploadedFile("packs.csv", BAD_FILE.encode(), content_type="text/csv")

    response = authed(seller).post("/api/v1/listings/import/", {"file": upload})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_failed"
    assert sorted(error["fields"]) == [
        "rows.3.pack.chemistry",
        "rows.4.pack.rated_capacity_kwh",
        "rows.4.title",
        "rows.5.pack.soh_pct",
    ]
    assert _nothing_imported()


def test_api_import_creates_drafts(authed, seller):
    upload = SimpleUploadedFile("listings.csv", (EXAMPLES / "listings.csv").read_bytes())

    response = authed(seller).post("/api/v1/listings/import/", {"file": upload})

    assert response.status_code == 201
    assert response.json() == {"created": 4}


def test_example_files_are_downloadable():
    response = Client().get("/catalog/import/example.csv")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (EXAMPLES / "listings.csv").read_bytes()
    assert Client().get("/catalog/import/example.xlsx").status_code == 404
