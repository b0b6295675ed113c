"""Index stage, a deep check of a stored index: what ``skills index`` runs before trusting the file.

An open checks what it reads (format, tables, row types, the folder tree) and nothing more, to
stay fast; postings and term lists are decoded only when a query or an update needs them. This
check reads all of it once: SQLite's ``quick_check``, every posting string decodes and names
only stored skills, and every term list has its fields. A file that fails is rebuilt by
``open_index(check=True)``. Whether every term's postings agree with the skills' term lists is
not checked here: it costs seconds at 10,000 skills (the concurrency stress test checks it).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from loader.index.postings import FIELDS
from loader.index.sqlite import connect

_ITEM = r"\d+:" + ",".join([r"\d+"] * len(FIELDS))
_POSTINGS = re.compile(f"{_ITEM}( {_ITEM})*")
"""What ``loader.index.postings.decode_posting`` accepts (checked by a regular expression: decoding
every posting string in Python takes seconds at 10,000 skills)."""
_DOC = re.compile(r"(?:^| )(\d+):")
MAX_SHOWN = 3
"""Problems named in full; the rest are counted."""


def problems(path: Path | str) -> list[str]:
    """What is wrong with the index file at ``path`` (empty: sound). Reads it in one transaction."""
    try:
        con = connect(path, write=False)
        try:
            con.execute("BEGIN")
            found = _problems(con)
            con.execute("COMMIT")
        finally:
            con.close()
    except sqlite3.Error as exc:
        return [f"cannot be read: {exc}"]
    return found


def _problems(con: sqlite3.Connection) -> list[str]:
    check = [row[0] for row in con.execute("PRAGMA quick_check(5)")]
    if check != ["ok"]:
        return [f"SQLite's quick_check: {'; '.join(map(str, check))}"]
    ids = {ident for (ident,) in con.execute("SELECT id FROM skills")}
    found = [f"the term list of skill id {ident!r} is malformed or names no skill"
             for ident, text in con.execute("SELECT id, terms FROM terms")
             if ident not in ids or not isinstance(text, str) or text.count("\n") != len(FIELDS) - 1]
    known = {str(ident) for ident in ids}
    for term, docs in con.execute("SELECT term, docs FROM postings"):
        if not isinstance(docs, str) or not _POSTINGS.fullmatch(docs):
            found.append(f"the postings of {term!r} are malformed")
        elif not known.issuperset(_DOC.findall(docs)):
            found.append(f"the postings of {term!r} name skills that are not in the index")
    if len(found) > MAX_SHOWN:
        found = [*found[:MAX_SHOWN], f"and {len(found) - MAX_SHOWN} more"]
    return found
