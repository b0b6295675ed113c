"""``skills new`` and ``loader.author.scaffold``: templates, name rules, atomic writes, user templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import write_tree
from loader.author import scaffold
from loader.core.errors import PathNotFoundError, UsageError
from loader.core.model import Profile
from loader.validate.load import load_skills

TEMPLATES = ["basic", "references", "scripts"]
PROFILES = [p.value for p in Profile]


def frontmatter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("description", [None, "Fills in PDF forms: text fields and check boxes. "
                                               "Use when the user asks to complete a PDF form."])
def test_every_template_validates_strict_with_no_warnings(cli, tmp_path, template, profile, description):
    args = ["new", "my-skill", "--template", template, "--profile", profile, "--dir", tmp_path / "skills"]
    if description:
        args += ["--description", description, "--license", "Apache-2.0"]
    made = cli(*args)
    assert made.code == 0, made.out + made.err
    assert "valid" in made.out and "warning" not in made.out
    checked = cli("validate", "--strict", "--profile", profile, tmp_path / "skills")
    assert checked.code == 0, checked.out
    assert "checked 1 skill (0 with errors, 0 left out): 0 errors, 0 warnings" in checked.out
    meta = frontmatter(tmp_path / "skills" / "my-skill" / "SKILL.md")
    assert meta["name"] == "my-skill"
    assert meta["description"] == (description or scaffold.default_description("my-skill"))
    assert meta.get("license") == ("Apache-2.0" if description else None)
    assert leftovers(tmp_path / "skills") == []


@pytest.mark.parametrize("name", ["a", "pdf-forms", "x" * 64, "v2-api-9"])
def test_default_description_passes_the_description_rules(tmp_path, name):
    files = scaffold.plan(name, "basic")
    write_tree(tmp_path / name, {str(rel): text for rel, text in files.items()})
    for profile in Profile:
        result = load_skills([tmp_path / name], profile, strict=True)
        assert result.diagnostics == (), result.diagnostics


def test_templates_write_their_kind_of_files(tmp_path):
    assert sorted(map(str, scaffold.plan("demo", "references"))) == [
        "SKILL.md", "references/examples.md", "references/guide.md"]
    assert sorted(map(str, scaffold.plan("demo", "scripts"))) == ["SKILL.md", "scripts/run.py"]
    scaffold.create("demo", tmp_path, "scripts")
    script = tmp_path / "demo" / "scripts" / "run.py"
    assert script.stat().st_mode & 0o111
    assert "scripts/run.py" in (tmp_path / "demo" / "SKILL.md").read_text()
    ran = subprocess.run([sys.executable, str(script), str(tmp_path / "demo" / "SKILL.md")],
                         capture_output=True, text=True, check=True)
    assert json.loads(ran.stdout)["lines"] > 5


def test_plan_is_deterministic_and_pure(tmp_path):
    first = scaffold.plan("demo", "references", description="Builds demos. Use when a demo is needed now.")
    second = scaffold.plan("demo", "references", description="Builds demos. Use when a demo is needed now.")
    assert first == second
    assert list(first) == sorted(first)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", [
    pytest.param("Foo", id="uppercase"), pytest.param("a--b", id="double-hyphen"),
    pytest.param("-a", id="leading-hyphen"), pytest.param("a_b", id="underscore"),
    pytest.param("x" * 65, id="too-long"), pytest.param("my-claude-helper", id="reserved-claude"),
    pytest.param("anthropic", id="reserved-anthropic"), pytest.param("../evil", id="path"),
])
def test_invalid_name_is_refused_with_exit_2(cli, tmp_path, name):
    result = cli("new", "--dir", tmp_path, "--", name)
    assert result.code == 2
    assert "invalid skill name" in result.err
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_is_refused_unless_force(cli, tmp_path):
    folder = write_tree(tmp_path / "demo", {"SKILL.md": "mine\n", "notes.txt": "keep me\n"})
    refused = cli("new", "demo", "--dir", tmp_path)
    assert refused.code == 2
    assert "already exists" in refused.err and "--force" in refused.err
    assert (folder / "SKILL.md").read_text() == "mine\n"
    forced = cli("new", "demo", "--dir", tmp_path, "--force")
    assert forced.code == 0, forced.out + forced.err
    assert (folder / "SKILL.md").read_text().startswith("---\nname: demo\n")
    assert (folder / "notes.txt").read_text() == "keep me\n"
    assert leftovers(tmp_path) == []


def test_existing_file_is_refused_even_with_force(cli, tmp_path):
    (tmp_path / "demo").write_text("a file\n")
    assert cli("new", "demo", "--dir", tmp_path, "--force").code == 2
    assert (tmp_path / "demo").read_text() == "a file\n"


def test_dry_run_writes_nothing_and_lists_the_plan(cli, tmp_path):
    result = cli("new", "demo", "--template", "references", "--dir", tmp_path / "skills", "--dry-run")
    assert result.code == 0, result.err
    assert "would write" in result.out
    assert "references/guide.md" in result.out
    assert not (tmp_path / "skills").exists()


def test_result_with_errors_is_not_written(cli, tmp_path):
    result = cli("new", "demo", "--dir", tmp_path, "--description", "word " * 300)
    assert result.code == 1
    assert "schema-max-length" in result.out and "did not write" in result.out
    assert list(tmp_path.iterdir()) == []


def test_description_with_yaml_syntax_round_trips(cli, tmp_path):
    text = "Fixes: 'quotes', \"doubles\", #hash and a: colon. Use when YAML bites."
    assert cli("new", "demo", "--dir", tmp_path, "--description", text).code == 0
    assert frontmatter(tmp_path / "demo" / "SKILL.md")["description"] == text


def test_list_templates_shows_builtin_and_user_templates(cli, tmp_path):
    write_tree(tmp_path / "mine" / "team", {"SKILL.md.j2": "{# Our house style. #}\n---\nname: {{ name }}\n"})
    result = cli("new", "--list-templates", "--templates", tmp_path / "mine")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == ["team", *TEMPLATES]
    assert "Our house style." in lines[0]
    assert [t.name for t in scaffold.list_templates()] == TEMPLATES


def test_user_template_folder_is_mirrored(cli, tmp_path):
    user = write_tree(tmp_path / "tpl" / "team", {
        "SKILL.md.j2": """\
            ---
            name: {{ name }}
            description: {{ description | yaml }}
            ---

            # {{ title }}

            Read [the checklist](docs/checklist.md) first.
            """,
        "docs/checklist.md.j2": "# Checklist for {{ words }}\n",
        "data/raw.txt": "kept {{ as is }}\n",
    })
    result = cli("new", "team-skill", "--templates", user.parent, "--template", "team", "--dir", tmp_path / "out")
    assert result.code == 0, result.out + result.err
    made = tmp_path / "out" / "team-skill"
    assert sorted(p.relative_to(made).as_posix() for p in made.rglob("*") if p.is_file()) == [
        "SKILL.md", "data/raw.txt", "docs/checklist.md"]
    assert (made / "docs" / "checklist.md").read_text() == "# Checklist for team skill\n"
    assert (made / "data" / "raw.txt").read_text() == "kept {{ as is }}\n"
    assert "# Team Skill" in (made / "SKILL.md").read_text()


def test_single_user_template_folder_and_shadowing(tmp_path):
    user = write_tree(tmp_path / "basic", {"SKILL.md": "---\nname: fixed\n---\n"})
    infos = scaffold.list_templates(user)
    assert [(i.name, i.builtin) for i in infos] == [("basic", False), ("references", True), ("scripts", True)]


def test_user_templates_are_sandboxed(cli, tmp_path):
    write_tree(tmp_path / "evil", {"SKILL.md.j2": "{{ name.__class__.__mro__[1].__subclasses__() }}\n"})
    result = cli("new", "demo", "--templates", tmp_path / "evil", "--template", "evil", "--dir", tmp_path / "out")
    assert result.code == 2
    assert "failed to render" in result.err
    assert not (tmp_path / "out" / "demo").exists()


def test_unknown_template_and_missing_templates_dir(cli, tmp_path):
    unknown = cli("new", "demo", "--template", "nope", "--dir", tmp_path)
    assert unknown.code == 2 and "unknown template 'nope'" in unknown.err and "basic" in unknown.err
    with pytest.raises(PathNotFoundError):
        scaffold.list_templates(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError):
        scaffold.list_templates(tmp_path / "empty")


def test_unwritable_dir_is_a_usage_error(cli, tmp_path):
    (tmp_path / "file").write_text("not a folder\n")
    result = cli("new", "demo", "--dir", tmp_path / "file" / "skills")
    assert result.code == 2 and "cannot write in" in result.err


def test_missing_name_is_a_usage_error(cli):
    result = cli("new")
    assert result.code == 2 and "NAME" in result.err


def test_write_is_atomic_and_refuses_existing(tmp_path):
    files = {Path("SKILL.md"): "x\n", Path("a/b.md"): "y\n"}
    assert scaffold.write(files, tmp_path / "s") == tmp_path / "s"
    assert (tmp_path / "s" / "a" / "b.md").read_text() == "y\n"
    with pytest.raises(UsageError):
        scaffold.write(files, tmp_path / "s")
    with pytest.raises(UsageError):
        scaffold.write({Path("../escape.md"): "z\n"}, tmp_path / "t")
    assert not (tmp_path / "escape.md").exists() and not (tmp_path / "t").exists()
    assert leftovers(tmp_path) == []


def test_builtin_templates_are_found_in_the_checkout():
    from loader.author.templates import builtin_templates_dir

    assert (builtin_templates_dir() / "basic" / "SKILL.md.j2").is_file()
