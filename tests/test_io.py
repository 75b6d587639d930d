"""Tests of computeatlas._io: path checks and the atomic-write mechanism."""

from __future__ import annotations

import os

import pytest

from computeatlas import _io
from computeatlas._io import atomic_write, check_target
from computeatlas.errors import InputError


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


# ----------------------------------------------------------------------------- check_target


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("", "path is empty"),
        ("   ", "path is empty"),
        (".", "does not name a file"),
        ("..", "does not name a file"),
        (5, "path must be a str or os.PathLike; got int"),
        (None, "path must be a str or os.PathLike; got NoneType"),
        (b"x.geojson", "path must be a text path"),
    ],
)
def test_check_target_refuses(path, match):
    with pytest.raises(InputError, match=match):
        check_target(path)


def test_check_target_refuses_folders(tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError, match="ends with a path separator"):
        check_target(f"{tmp_path}/x.geojson/")
    with pytest.raises(InputError, match="ends with a path separator"):
        check_target(f"{tmp_path}/sub/")
    with pytest.raises(InputError, match="existing folder"):
        check_target(tmp_path / "sub")
    with pytest.raises(InputError, match=r"output folder does not exist: .*missing"):
        check_target(tmp_path / "missing" / "x.tif")
    with pytest.raises(InputError, match="^--out "):
        check_target(f"{tmp_path}/sub/", "--out")  # the parameter is named
    assert check_target(str(tmp_path / "x.tif")) == tmp_path / "x.tif"
    assert _listing(tmp_path) == ["sub"]


def test_check_target_read_only_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(InputError, match="not writable"):
        check_target(tmp_path / "x.tif")


# ----------------------------------------------------------------------------- one target


def test_atomic_write_replaces_on_success(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with atomic_write(target) as (tmp,):
        assert tmp.name == "a.txt" and tmp.parent.parent == tmp_path
        assert tmp.parent.name.startswith(_io.STAGING_PREFIX)
        assert not tmp.exists()
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing visible before the block ends
    assert target.read_text() == "new"
    assert _listing(tmp_path) == ["a.txt"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_atomic_write_failure_keeps_previous(tmp_path, error):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(type(error)):
        with atomic_write(target) as (tmp,):
            tmp.write_text("half")
            raise error
    assert target.read_text() == "old"
    assert _listing(tmp_path) == ["a.txt"]


def test_atomic_write_needs_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="did not create"):
        with atomic_write(tmp_path / "a.txt"):
            pass
    assert _listing(tmp_path) == []


def test_atomic_write_refuses_bad_targets(tmp_path):
    with pytest.raises(InputError, match="at least one"):
        with atomic_write():
            pass
    with pytest.raises(InputError, match="same file is given twice"):
        with atomic_write(tmp_path / "a", str(tmp_path / "a")):
            pass
    with pytest.raises(InputError, match="^target is empty"):
        with atomic_write("", what="target"):
            pass
    assert _listing(tmp_path) == []


def test_atomic_write_permission_denied_on_staging(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_io.tempfile, "mkdtemp", denied)
    with pytest.raises(InputError, match="not writable"):
        with atomic_write(tmp_path / "a.txt"):
            pass


# ----------------------------------------------------------------------------- several targets


def test_atomic_write_set_success(tmp_path):
    a, b = tmp_path / "a.geojson", tmp_path / "a.qml"
    a.write_text("old a")
    with atomic_write(a, b) as (ta, tb):
        ta.write_text("new a")
        tb.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert _listing(tmp_path) == ["a.geojson", "a.qml"]


@pytest.mark.parametrize("b_existed", [True, False])
@pytest.mark.parametrize("a_existed", [True, False])
def test_atomic_write_second_replace_fails_restores_first(
    tmp_path, monkeypatch, a_existed, b_existed
):
    a, b = tmp_path / "a.geojson", tmp_path / "a.qml"
    if a_existed:
        a.write_text("old a")
    if b_existed:
        b.write_text("old b")
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(".qml"):
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(_io.os, "replace", replace)
    with pytest.raises(PermissionError):
        with atomic_write(a, b) as (ta, tb):
            ta.write_text("new a")
            tb.write_text("new b")
    assert a.exists() == a_existed and b.exists() == b_existed
    if a_existed:
        assert a.read_text() == "old a"
    if b_existed:
        assert b.read_text() == "old b"
    assert _listing(tmp_path) == sorted(
        name for name, kept in (("a.geojson", a_existed), ("a.qml", b_existed)) if kept
    )


def test_atomic_write_backup_by_copy_without_hard_links(tmp_path, monkeypatch):
    a, b = tmp_path / "a.geojson", tmp_path / "a.qml"
    a.write_text("old a")

    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(".qml"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(_io.os, "link", no_links)
    monkeypatch.setattr(_io.os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        with atomic_write(a, b) as (ta, tb):
            ta.write_text("new a")
            tb.write_text("new b")
    assert a.read_text() == "old a"
    assert _listing(tmp_path) == ["a.geojson"]


# ----------------------------------------------------------------------------- symbolic links


def test_symlink_is_written_through(tmp_path):
    data, links = tmp_path / "data", tmp_path / "links"
    data.mkdir()
    links.mkdir()
    real = data / "sites.geojson"
    real.write_text("old")
    link = links / "sites.geojson"
    link.symlink_to(real)
    with atomic_write(link) as (tmp,):
        assert tmp.parent.parent == data  # staged beside the real file: same file system
        tmp.write_text("new")
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text() == "new"
    assert _listing(data) == ["sites.geojson"] and _listing(links) == ["sites.geojson"]


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "latest.tif"
    link.symlink_to(tmp_path / "v1.tif")
    with atomic_write(link) as (tmp,):
        tmp.write_text("v1")
    assert link.is_symlink() and (tmp_path / "v1.tif").read_text() == "v1"


def test_dangling_symlink_into_missing_folder(tmp_path):
    link = tmp_path / "latest.tif"
    link.symlink_to(tmp_path / "gone" / "v1.tif")
    with pytest.raises(InputError, match="output folder does not exist: .*gone"):
        check_target(link)


def test_symlink_loop_is_refused(tmp_path):
    a, b = tmp_path / "a.tif", tmp_path / "b.tif"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(InputError, match="symbolic link that never resolves"):
        with atomic_write(a):
            pass
    assert a.is_symlink() and b.is_symlink()
