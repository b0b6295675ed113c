"""``loader.author.watch`` and ``loader.author.live`` in-process: debounced events, hot reload, last good version."""

from __future__ import annotations

import os
import queue
import shutil
import time

import pytest

from conftest import filler_skills as fillers
from conftest import skill_md, write_tree
from loader.author.changes import ChangeKind, WatchBatch, WatchUnavailableError
from loader.author.live import LiveLibrary, LiveUpdate
from loader.author.watch import Watcher, watch
from loader.core.errors import PathNotFoundError, SkillpackError

# watchdog's own harmless warning from its inotify thread (see loader/author/watch.py)
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

TIMEOUT = 10.0
DEBOUNCE = 0.05


class Inbox:
    """Collects callback values from the watcher thread; ``next`` waits for one (never sleeps blindly)."""

    def __init__(self) -> None:
        self.items: queue.Queue[object] = queue.Queue()

    def __call__(self, item: object) -> None:
        self.items.put(item)

    def next(self) -> object:
        return self.items.get(timeout=TIMEOUT)

    def until(self, predicate) -> object:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + TIMEOUT
        while True:
            item = self.items.get(timeout=max(0.01, deadline - time.monotonic()))
            if predicate(item):
                return item


def kinds(update: LiveUpdate) -> list[tuple[str, str]]:
    return [(u.kind.value, u.path.name) for u in update.skills]


def test_live_library_follows_create_edit_rename_delete_recreate(tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha"), **fillers()})
    library = LiveLibrary([root])
    assert len(library.skills()) == 9 and "alpha" in [s.name for s in library.skills()]
    assert "alpha" in library.index
    inbox = Inbox()
    with library.watch(inbox, debounce=DEBOUNCE):
        write_tree(root, {"beta/SKILL.md": skill_md("beta", description="Converts invoices to CSV files. "
                                                               "Use when the user has invoice PDFs.")})
        update = inbox.until(lambda u: ("added", "beta") in kinds(u))
        assert all(u.ok for u in update.skills)
        assert "beta" in library.index
        assert library.match("convert these invoice PDFs to CSV").names == ["beta"]
        snapshot = library.snapshot()
        assert snapshot.index is library.index
        assert snapshot.body("beta").strip() == "# Steps\n\n1. Do the thing."

        manifest = root / "beta" / "SKILL.md"
        good = manifest.read_text()
        manifest.write_text(good.replace("name: beta", "name: [beta"))  # YAML that does not parse
        update = inbox.until(lambda u: ("changed", "beta") in kinds(u))
        [item] = update.skills
        assert not item.ok and item.serving_last_good
        assert "frontmatter-yaml" in {d.rule for d in item.diagnostics}
        assert "beta" in library.index and "beta" in [s.name for s in library.skills()]

        temp = root / "beta" / ".SKILL.md.swp"
        temp.write_text(good.replace("Converts invoices", "Turns invoices"))
        os.replace(temp, manifest)  # an editor's atomic save
        update = inbox.until(lambda u: ("changed", "beta") in kinds(u) and u.skills[0].ok)
        assert [s.description for s in library.skills() if s.name == "beta"][0].startswith("Turns invoices")
        assert library.index.entry("beta").description.startswith("Turns invoices")

        shutil.rmtree(root / "beta")
        update = inbox.until(lambda u: ("removed", "beta") in kinds(u))
        assert "beta" not in library.index and "beta" not in [s.name for s in library.skills()]
        assert library.match("convert these invoice PDFs to CSV").names == []

        write_tree(root, {"beta/SKILL.md": skill_md("beta")})
        update = inbox.until(lambda u: ("added", "beta") in kinds(u))
        assert "beta" in library.index
        assert update.generation >= 5 and update.seconds >= 0 and update.latency >= update.seconds


def test_a_new_skill_that_is_invalid_is_reported_but_not_served(tmp_path):
    root = tmp_path / "skills"
    root.mkdir()
    library = LiveLibrary([root])
    inbox = Inbox()
    with library.watch(inbox, debounce=DEBOUNCE):
        write_tree(root, {"bad/SKILL.md": "no frontmatter here\n"})
        update = inbox.until(lambda u: ("added", "bad") in kinds(u))
        assert not update.skills[0].ok and not update.skills[0].serving_last_good
        assert library.skills() == [] and len(library.index) == 0


def test_changes_between_opening_and_watching_are_reported(tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha"), "broken/SKILL.md": "oops\n",
                                            "gone/SKILL.md": skill_md("gone")})
    library = LiveLibrary([root])
    write_tree(root, {"late/SKILL.md": skill_md("late")})
    shutil.rmtree(root / "gone")
    inbox = Inbox()
    with library.watch(inbox, debounce=DEBOUNCE):
        update = inbox.next()
        assert sorted(kinds(update)) == [("added", "late"), ("removed", "gone")]  # not "broken": it was known
        assert [s.name for s in library.skills()] == ["alpha", "late"]


def test_raw_watch_debounces_a_burst_into_one_batch(tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha"), "beta/SKILL.md": skill_md("beta")})
    inbox = Inbox()
    handle = watch([root], inbox, debounce=0.3)
    try:
        for i in range(5):
            (root / "alpha" / "SKILL.md").write_text(skill_md("alpha", body=f"# Step {i}\n"))
        (root / "beta" / "notes.md").write_text("notes\n")
        batch = inbox.next()
        assert isinstance(batch, WatchBatch)
        assert [(e.kind, e.path.name) for e in batch.events] == [(ChangeKind.CHANGED, "alpha"),
                                                                 (ChangeKind.CHANGED, "beta")]
        assert all(e.root == root.resolve() for e in batch.events)
    finally:
        handle.stop()
    assert not handle.is_alive()


def test_folders_moved_in_and_out_and_nested_skills(tmp_path):
    root = write_tree(tmp_path / "skills", {"group/one/SKILL.md": skill_md("one"),
                                            "group/two/SKILL.md": skill_md("two")})
    outside = write_tree(tmp_path / "outside", {"three/SKILL.md": skill_md("three")})
    inbox = Inbox()
    with watch([root], inbox, debounce=DEBOUNCE):
        shutil.move(str(root / "group"), str(tmp_path / "elsewhere"))
        batch = inbox.next()
        assert sorted((e.kind.value, e.path.name) for e in batch.events) == [("removed", "one"), ("removed", "two")]
        shutil.move(str(outside / "three"), str(root / "three"))
        batch = inbox.next()
        assert [(e.kind.value, e.path.name) for e in batch.events] == [("added", "three")]
        (root / "three" / "SKILL.md").unlink()  # the folder stays, but it is no longer a skill
        batch = inbox.next()
        assert [(e.kind.value, e.path.name) for e in batch.events] == [("removed", "three")]


def test_ignored_folders_editor_files_and_plain_files_do_not_trigger(tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha"), "beta/SKILL.md": skill_md("beta")})
    inbox = Inbox()
    with watch([root], inbox, debounce=0.2):
        write_tree(root, {".git/HEAD": "ref\n", "README.md": "not a skill\n", "node_modules/x/SKILL.md": "x\n",
                          "alpha/.SKILL.md.swp": "swap", "alpha/SKILL.md~": "backup", "alpha/.#SKILL.md": "lock"})
        (root / "beta" / "extra.md").write_text("more\n")
        batch = inbox.next()
        assert [(e.kind.value, e.path.name) for e in batch.events] == [("changed", "beta")]
    assert inbox.items.empty()


def test_root_deleted_and_recreated(tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha")})
    inbox = Inbox()
    with watch([root], inbox, debounce=DEBOUNCE):
        shutil.rmtree(root)
        batch = inbox.next()
        assert [(e.kind.value, e.path.name) for e in batch.events] == [("removed", "alpha")]
        write_tree(root, {"alpha/SKILL.md": skill_md("alpha")})
        batch = inbox.until(lambda b: any(e.kind is ChangeKind.ADDED for e in b.events))
        assert [e.path.name for e in batch.events] == ["alpha"]


def test_a_failing_callback_does_not_stop_the_watch(tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha")})
    errors = Inbox()
    calls: list[WatchBatch] = []

    def explode(batch: WatchBatch) -> None:
        calls.append(batch)
        raise RuntimeError(f"boom {len(calls)}")

    with watch([root], explode, debounce=DEBOUNCE, on_error=errors):
        (root / "alpha" / "SKILL.md").write_text(skill_md("alpha", body="# One\n"))
        assert str(errors.next()) == "boom 1"
        (root / "alpha" / "SKILL.md").write_text(skill_md("alpha", body="# Two\n"))
        assert str(errors.next()) == "boom 2"


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(PathNotFoundError):
        watch([tmp_path / "nope"], lambda batch: None)
    with pytest.raises(PathNotFoundError):
        LiveLibrary([tmp_path / "nope"])


def test_a_skill_folder_or_its_skill_md_can_be_watched_directly(tmp_path):
    folder = write_tree(tmp_path / "alpha", {"SKILL.md": skill_md("alpha")})
    for given in (folder, folder / "SKILL.md"):
        inbox = Inbox()
        library = LiveLibrary([given])
        assert library.roots == [folder.resolve()]
        with library.watch(inbox, debounce=DEBOUNCE):
            (folder / "SKILL.md").write_text(skill_md("alpha", body="# Changed\n"))
            update = inbox.next()
            assert isinstance(update, LiveUpdate) and kinds(update) == [("changed", "alpha")]


def test_a_file_that_is_not_skill_md_is_refused(tmp_path):
    (tmp_path / "README.md").write_text("hi\n")
    with pytest.raises(PathNotFoundError, match="not SKILL.md"):
        watch([tmp_path / "README.md"], lambda batch: None)


class RefusingObserver:
    """Stands in for watchdog's observer when the OS refuses (inotify watch limit reached)."""

    def schedule(self, *args: object, **kwargs: object) -> object:
        return object()

    def start(self) -> None:
        raise OSError(28, "No space left on device")


def test_os_refusing_to_watch_is_a_clear_error(tmp_path):
    root = write_tree(tmp_path / "skills", {"alpha/SKILL.md": skill_md("alpha")})
    watcher = Watcher([root], lambda batch: None, observer=RefusingObserver())  # type: ignore[arg-type]
    with pytest.raises(WatchUnavailableError, match="max_user_watches") as caught:
        watcher.start()
    assert isinstance(caught.value, SkillpackError)
