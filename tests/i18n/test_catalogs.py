"""Compiled catalogs: built at start when missing or older than their .po, never half-written."""

from __future__ import annotations

import os
import shutil

from babel.messages.mofile import read_mo

from portal import i18n


def copy_catalogs(tmp_path):
    source = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, source, ignore=shutil.ignore_patterns("*.mo"))
    return source


def test_compiles_missing_and_stale_catalogs_only(tmp_path):
    source = copy_catalogs(tmp_path)
    assert i18n.compile_catalogs(source) == source
    german = source / "de" / "LC_MESSAGES" / "messages.mo"
    with german.open("rb") as compiled:
        assert read_mo(compiled).get("Language").string == "Sprache"
    assert not list(source.rglob("*.tmp"))

    built = german.stat().st_mtime_ns
    i18n.compile_catalogs(source)
    assert german.stat().st_mtime_ns == built  # up to date: left alone

    po = german.with_suffix(".po")
    po.write_text(po.read_text(encoding="utf-8").replace('"Sprache"', '"Sprachen"'), "utf-8")
    later = built + 10**9
    os.utime(po, ns=(later, later))
    i18n.compile_catalogs(source)
    with german.open("rb") as compiled:
        assert read_mo(compiled).get("Language").string == "Sprachen"


def test_the_app_reads_the_compiled_catalogs(app):
    directories = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    for language in ("de", "fr"):
        assert os.path.exists(os.path.join(directories, language, "LC_MESSAGES", "messages.mo"))


def test_a_read_only_package_compiles_into_the_instance(tmp_path, monkeypatch):
    source = copy_catalogs(tmp_path)
    target = tmp_path / "instance" / "translations"
    monkeypatch.setattr(i18n.os, "access", lambda path, mode: False)
    assert i18n.compile_catalogs(source, target) == target
    assert (target / "fr" / "LC_MESSAGES" / "messages.mo").exists()
    assert not list(source.rglob("*.mo"))
    # Catalogs compiled beside the .po beforehand (an image build) are used where they are.
    monkeypatch.undo()
    i18n.compile_catalogs(source)
    monkeypatch.setattr(i18n.os, "access", lambda path, mode: False)
    assert i18n.compile_catalogs(source, target) == source
