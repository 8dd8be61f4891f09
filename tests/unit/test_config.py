import pytest

from archive.config import ConfigError, ensure_secret_key, load_settings


def test_defaults_are_embedded(tmp_path):
    settings = load_settings({"ARCHIVE_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/archive.db"
    assert settings.get("store.backend") == "local"
    assert settings.get("jobs.backend") == "thread"
    assert settings.max_upload_bytes == 50 * 1024 * 1024


def test_environment_overrides_single_settings_with_types(tmp_path):
    settings = load_settings({
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_DATABASE_URL": "postgresql+psycopg://db/archive",
        "ARCHIVE_REDIS_URL": "redis://localhost:6379/1",
        "ARCHIVE_INTAKE_MAX_UPLOAD_MB": "5",
        "ARCHIVE_STORE_SECURE": "true",
        "ARCHIVE_JOBS_RETRY_INTERVALS": "[1, 2]",
    })
    assert settings.database_url == "postgresql+psycopg://db/archive"
    assert settings.redis_url == "redis://localhost:6379/1"
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.get("store.secure") is True
    assert settings.get("jobs.retry_intervals") == [1, 2]


def test_s3_example_file_is_selected_by_archive_config():
    settings = load_settings({"ARCHIVE_CONFIG": "storage_config/s3.toml"})
    assert settings.get("store.backend") == "s3"
    assert settings.get("jobs.backend") == "rq"


def test_bad_values_and_files_give_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="ARCHIVE_INTAKE_MAX_PAGES"):
        load_settings({"ARCHIVE_INTAKE_MAX_PAGES": "many"})
    with pytest.raises(ConfigError, match="not found"):
        load_settings({"ARCHIVE_CONFIG": str(tmp_path / "nope.toml")})


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    settings = load_settings({"ARCHIVE_DATA_DIR": str(tmp_path)})
    first = ensure_secret_key(settings)
    assert len(first) >= 40
    assert ensure_secret_key(settings) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_every_setting_of_the_embedded_file_exists_and_is_overridable_in_any_configuration(tmp_path):
    """A setting only the default file names (or one no file names, like secure_cookies before)
    used to be out of reach of its documented environment variable under another file."""
    custom = tmp_path / "custom.toml"
    custom.write_text('[app]\ndata_dir = "/srv/archive"\n[store]\nbackend = "s3"\n', encoding="utf-8")
    settings = load_settings({"ARCHIVE_CONFIG": str(custom), "ARCHIVE_APP_SECURE_COOKIES": "true",
                              "ARCHIVE_HSTS_SECONDS": "31536000", "ARCHIVE_SEARCH_WARM_MB": "0",
                              "ARCHIVE_STORE_OBJECT_LOCK": "yes", "ARCHIVE_LOGIN_MAX_FAILURES": "3"})
    assert settings.get("app.secure_cookies") is True
    assert settings.get("app.hsts_seconds") == 31536000
    assert settings.get("search.warm_mb") == 0
    assert settings.get("store.object_lock") is True and settings.get("store.backend") == "s3"
    assert settings.get("login.max_failures") == 3
    assert settings.get("jobs.job_timeout") == 900  # from the embedded defaults
    assert settings.database_url == "sqlite:////srv/archive/archive.db"


def test_the_s3_example_keeps_its_own_values_over_the_defaults():
    settings = load_settings({"ARCHIVE_CONFIG": "storage_config/s3.toml",
                              "ARCHIVE_SECURE_COOKIES": "1"})
    assert settings.get("store.secure") is True and settings.get("store.object_lock") is True
    assert settings.get("app.secure_cookies") is True
