import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from planner import settings as project_settings

ROOT = Path(__file__).resolve().parents[2]


def test_postgres_url_uses_psycopg_with_the_builtin_pool():
    db = project_settings.database_from_url("postgres://clinic:s%40cret@db.internal:6543/planner")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "planner",
        "clinic",
        "s@cret",
        "db.internal",
        "6543",
    )
    assert db["OPTIONS"]["connect_timeout"] == 3
    assert db["OPTIONS"]["pool"]["timeout"] == 5 and db["CONN_HEALTH_CHECKS"] is True


def test_sqlite_uses_wal_and_immediate_transactions():
    db = project_settings.database_from_url("sqlite:///data/clinic.db")
    assert db["NAME"] == project_settings.BASE_DIR / "data/clinic.db"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_unknown_database_scheme_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        project_settings.database_from_url("mysql://root@localhost/x")


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_bad_boolean_fails_loudly(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        project_settings.env_bool("DEBUG")


def test_check_deploy_is_clean_with_production_values():
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "x7" * 30 + "-production-like-secret",
        "ALLOWED_HOSTS": "clinic.example.org",
    }
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_no_template_loads_anything_from_another_host():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for marker in ('src="http', "src='http", 'href="http', "href='http", 'src="//', 'href="//'):
            assert marker not in text, f"{template} references an external host"
