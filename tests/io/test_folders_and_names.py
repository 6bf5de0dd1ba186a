"""Nothing typed or uploaded writes outside its place (issue 14, points 1, 2, 6 and 7):
uploads under the server's names, congress names that cannot be paths, congresses kept
apart in the store, and ``--out`` that never replaces a folder the tool did not write."""

from __future__ import annotations

import csv
import io
import json
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

from planner.errors import ScenarioError
from planner.io import uploads
from planner.io.paths import UnsafeName, inside, rehearsal_folder, safe_name
from planner.io.scenario_files import load_scenario
from planner.live.store import Store
from planner.ops.congress import import_scenario, import_upload
from tests.conftest import MINI, copy_scenario, jsonl, run_cli


def _zip(entries: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return out.getvalue()


def _mini_zip(prefix: str = "mini/") -> bytes:
    return _zip({prefix + f.name: f.read_bytes() for f in sorted(MINI.iterdir())})


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'planner.db'}")
    yield s
    s.close()


# -- 1. uploads --------------------------------------------------------------------------------
@pytest.mark.parametrize("client_name", ["../../outside/x.zip", "{abs}/x.zip",
                                         "..\\..\\outside\\x.zip"])
def test_an_upload_is_saved_where_the_server_says_whatever_its_name(tmp_path, client_name):
    home = tmp_path / "server"
    home.mkdir()
    client_name = client_name.format(abs=tmp_path / "abs")
    path = uploads.save_upload(_mini_zip(), client_name, home)
    assert path.resolve().is_relative_to(home.resolve())
    assert load_scenario(path).name == "mini"
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert written and all(p.is_relative_to(home) for p in written)


def test_an_upload_through_the_import_leaves_nothing_behind(tmp_path, store, monkeypatch):
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    name, version = import_upload(store, _mini_zip(), "/etc/../../x.zip", "tester",
                                  time_limit=0.2)
    assert (name, version) == ("mini", 1)
    assert not list((tmp_path / "tmp").iterdir())  # the upload's folder is gone again


@pytest.mark.parametrize("entry", ["../evil.csv", "/abs/evil.csv", "a/../../evil.csv"])
def test_a_zip_entry_that_leaves_the_folder_is_refused(tmp_path, entry):
    home = tmp_path / "server"
    home.mkdir()
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(_zip({"mini/venues.csv": b"x", entry: b"evil"}), "s.zip", home)
    assert refused.value.problems[0].key == "zip_unsafe_entry"
    assert not [p for p in tmp_path.rglob("evil.csv")]
    assert not Path("/abs/evil.csv").exists()


def test_a_link_in_a_zip_is_refused(tmp_path):
    home = tmp_path / "server"
    home.mkdir()
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(_zip({"a.csv": b"x"}, links={"venues.csv": "/etc/passwd"}),
                            "s.zip", home)
    assert refused.value.problems[0].key == "zip_unsafe_entry"
    assert not (home / "scenario" / "venues.csv").exists()


def test_a_zip_that_unpacks_past_the_limit_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 1_000_000)
    home = tmp_path / "server"
    home.mkdir()
    bomb = _zip({"rooms.csv": b"0" * 5_000_000})  # 5 MB of zeros, about 5 KB packed
    assert len(bomb) < 50_000
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(bomb, "s.zip", home)
    assert refused.value.problems[0].key == "zip_too_large"
    assert sum(p.stat().st_size for p in home.rglob("*") if p.is_file()) < 1_000_000 + 50_000


def test_not_a_zip_and_not_a_workbook_are_refused_in_words(tmp_path):
    home = tmp_path / "server"
    home.mkdir()
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(b"not a zip at all", "scenario.zip", home)
    assert refused.value.problems[0].key == "bad_zip"
    assert "scenario.zip" in refused.value.text("zh") and "/" not in refused.value.text("zh")
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(b"MZ", "tool.exe", home)
    assert refused.value.problems[0].key == "upload_kind"


# -- 2. names that become paths -------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../../../tmp/x/y", "/tmp/x", "a/b", "..", ".hidden",
                                  "a..b", "", "x" * 65, "C:\\x", "名字/x"])
def test_unsafe_names_are_not_names(name):
    assert not safe_name(name)
    with pytest.raises(UnsafeName):
        inside(Path("/srv/data"), name)


@pytest.mark.parametrize("name", ["provincial_congress", "mini", "省党代会-2026", "x10.city"])
def test_safe_names_are(name):
    assert safe_name(name)
    assert rehearsal_folder(name).name == name


def test_a_scenario_named_as_a_path_is_refused(tmp_path, mini_copy):
    yaml_file = mini_copy / "scenario.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace(
        "name: mini", "name: ../../../../tmp/evil"), encoding="utf-8")
    result = run_cli("validate", str(mini_copy))
    assert result.returncode == 1, result.stdout
    assert "scenario.yaml" in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "plan"
    assert run_cli("plan", str(mini_copy), "--out", str(out)).returncode == 1
    assert not out.exists()


# -- 6. congresses kept apart ---------------------------------------------------------------
def _without_room(source: Path, dest: Path, room: str) -> Path:
    folder = copy_scenario(source, dest)
    for name in ("rooms.csv", "sessions.csv"):
        path = folder / name
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(r for r in rows if r["room_id"] != room)
    return folder


def test_another_congress_of_the_same_name_is_not_laid_on_this_ones_log(tmp_path, store):
    import_scenario(store, MINI, "tester", time_limit=0.2)
    store.append("mini", [{"at": "2021-11-26T10:05", "type": "adhoc_session",
                           "session_id": "X1", "room_id": "R3",
                           "start": "2021-11-26T12:00", "end": "2021-11-26T12:40",
                           "kind": "临时会议", "attendees": 9, "level": "机密"}], "op")
    other = _without_room(MINI, tmp_path / "other", "R3")
    assert "R3" not in load_scenario(other).rooms  # a valid congress of its own
    plans_before = store.plan_versions("mini")
    scenario_before = store.latest_scenario("mini")
    with pytest.raises(ScenarioError) as refused:
        import_scenario(store, other, "tester", time_limit=0.2)
    assert refused.value.problems[0].key == "log_mismatch"
    assert "R3" in refused.value.text("en")
    assert store.plan_versions("mini") == plans_before
    assert store.latest_scenario("mini") == scenario_before
    # the same congress again (a corrected copy that still fits its log) is a new version
    name, version = import_scenario(store, MINI, "tester", time_limit=0.2)
    assert (name, version) == ("mini", len(plans_before) + 1)


# -- 7. --out never replaces a folder the tool did not write ----------------------------------
@pytest.fixture(scope="module")
def mini_rehearsal(tmp_path_factory):
    out = tmp_path_factory.mktemp("rh") / "rehearsal"
    result = run_cli("simulate", str(MINI), "--runs", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_plan_out_on_a_rehearsal_folder_is_refused_and_the_folder_kept(mini_rehearsal):
    before = _snapshot(mini_rehearsal)
    assert "summary.json" in before  # the case that was wiped: it looks like a plan folder
    result = run_cli("plan", str(MINI), "--out", str(mini_rehearsal))
    assert result.returncode == 1 and "not a plan folder" in result.stderr
    assert _snapshot(mini_rehearsal) == before


def test_a_plan_folder_with_a_users_notes_is_not_replaced(tmp_path):
    out = tmp_path / "plan"
    assert run_cli("plan", str(MINI), "--out", str(out)).returncode == 0
    assert run_cli("plan", str(MINI), "--out", str(out), "--seed", "1").returncode == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = _snapshot(out)
    result = run_cli("plan", str(MINI), "--out", str(out))
    assert result.returncode == 1 and "holds other files" in result.stderr
    assert _snapshot(out) == before


def test_a_folder_someone_made_to_look_like_a_plan_is_not_replaced(tmp_path):
    out = tmp_path / "lookalike"
    out.mkdir()
    (out / "summary.json").write_text(json.dumps({"sessions": 1}), encoding="utf-8")
    (out / "mine.docx").write_bytes(b"a user's document")
    assert run_cli("plan", str(MINI), "--out", str(out)).returncode == 1
    assert (out / "mine.docx").read_bytes() == b"a user's document"


def test_report_out_on_a_hand_made_report_html_is_refused(tmp_path):
    plan = tmp_path / "plan"
    assert run_cli("plan", str(MINI), "--out", str(plan)).returncode == 0
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.html").write_text("<p>my own report</p>", encoding="utf-8")
    events = jsonl(tmp_path / "log.jsonl", [])
    result = run_cli("report", str(MINI), "--plan", str(plan), "--events", str(events),
                     "--out", str(out))
    assert result.returncode == 1 and "not a report folder" in result.stderr
    assert (out / "report.html").read_text(encoding="utf-8") == "<p>my own report</p>"


# -- the review's cases: archives that are damaged or unpack without a cap -------------------
def _one_entry(name: str, data: bytes, method: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_an_entry_python_would_unpack_without_a_cap_is_refused(tmp_path, method):
    home = tmp_path / "server"
    home.mkdir()
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(_one_entry("rooms.csv", b"0" * 1_000_000, method), "s.zip", home)
    assert refused.value.problems[0].key == "bad_zip"
    assert not (home / "scenario" / "rooms.csv").exists()


def _corrupt(archive: bytes) -> bytes:
    """The archive with bytes of its first entry's compressed data flipped."""
    body = bytearray(archive)
    start = 30 + len("rooms.csv")  # the first local header, then the compressed data
    for i in range(start + 2, start + 40):
        body[i] ^= 0xFF
    return bytes(body)


@pytest.mark.parametrize("entries", [
    {".": b"x"},  # the folder itself
    {"a": b"x", "a/b": b"y"},  # a file where a folder is to go
    {"x" * 300 + ".csv": b"x"},  # a name too long for the file system
])
def test_an_archive_the_file_system_cannot_hold_is_refused_in_words(tmp_path, entries):
    home = tmp_path / "server"
    home.mkdir()
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(_zip(entries), "s.zip", home)
    assert refused.value.problems[0].key in ("bad_zip", "zip_unsafe_entry")


def test_damaged_deflate_data_is_refused_in_words(tmp_path):
    home = tmp_path / "server"
    home.mkdir()
    data = bytes(range(256)) * 400
    damaged = _corrupt(_one_entry("rooms.csv", data, zipfile.ZIP_DEFLATED))
    with pytest.raises(ScenarioError) as refused:
        uploads.save_upload(damaged, "s.zip", home)
    assert refused.value.problems[0].key == "bad_zip"


def test_a_workbook_compressed_with_bzip2_is_refused(tmp_path):
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("[Content_Types].xml", b"<x/>" * 1000)
    result = run_cli("validate", str(book))
    assert result.returncode == 1 and "book.xlsx" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_dashboard_never_shows_a_traceback_and_takes_no_upload_past_the_limit():
    """Streamlit's own settings: an unexpected error shows a generic message (no traceback,
    no server path), and the upload limit is the planner's file limit."""
    import tomllib

    from planner.limits import MAX_FILE_BYTES
    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
