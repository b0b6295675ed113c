"""``skills pack --plugin DIR`` and ``--marketplace DIR``: the command-line side of building plugins."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import typer

from loader.cli.render_diagnostics import display_path
from loader.core.errors import UsageError
from loader.core.model import Skill


def pack_plugin_output(skills: Sequence[Skill], *, plugin_dir: Path | None, marketplace: Path | None,
                       names: Sequence[str], owner: str | None, force: bool, as_json: bool) -> int:
    """Build the plugin (inside the marketplace when given), print what was written, return the exit code."""
    from loader.ship.marketplace import pack_marketplace, pack_plugin

    if plugin_dir is not None and marketplace is not None:
        raise UsageError(message="give --plugin or --marketplace, not both",
                         hint="--marketplace DIR builds its plugin in DIR/plugins/NAME")
    if len(names) > 1:
        raise UsageError(message="pack builds one plugin: give --plugin-name once")
    name = names[0] if names else None
    listing = None
    if marketplace is not None:
        listing, packed = pack_marketplace(skills, marketplace, plugin=name, owner=owner, force=force)
    elif plugin_dir is not None:
        packed = pack_plugin(skills, plugin_dir, name=name, force=force)
    else:
        raise UsageError(message="give --plugin DIR or --marketplace DIR")
    if as_json:
        report = {"schema_version": 1, "plugin": str(packed.root), "name": packed.name, "version": packed.version,
                  "skills": list(packed.skills), "removed": list(packed.removed),
                  "marketplace": str(listing) if listing else None}
        json.dump(report, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    typer.echo(f"packed plugin {packed.name} {packed.version} ({len(packed.skills)} skill(s)) into "
               f"{display_path(packed.root)}")
    for removed in packed.removed:
        typer.echo(f"  removed {removed} (no longer among the skills packed)")
    if listing is not None:
        typer.echo(f"listed it in {display_path(listing)}: publish the folder, then /plugin marketplace add OWNER/REPO")
    return 0
