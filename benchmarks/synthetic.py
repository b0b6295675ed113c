"""Generate synthetic but varied skill folders for benchmarks (no corpus needed).

``generate(root, count, seed)`` writes ``count`` valid skills under ``root`` and returns their
folders. Same arguments, same bytes. Skills differ in name, description, headings, body
length (a few hundred to a few thousand words, Zipf-distributed vocabulary with a topical
core per skill), optional ``when_to_use`` and reference files, so index sizes and posting
lengths resemble a real library rather than a best case.
"""

from __future__ import annotations

import random
from pathlib import Path

_COMMON = (
    "use when user asks file data code test build run check create update review write read list "
    "project team report format output input error config setup install deploy server client api "
    "service script command option value table query document page image chart model task step "
    "workflow issue branch commit release version package module function class method type field "
    "record request response cache index search match log event message status result summary"
).split()
_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vo", "zu", "pel", "dor", "qui", "sta", "bex", "nor",
              "tri", "fa", "gul", "hem", "jax", "ul", "yo", "cre", "plo", "vin", "sar")


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _sentence(rng: random.Random, topic: list[str], vocab: list[str], length: int) -> str:
    out = []
    for _ in range(length):
        roll = rng.random()
        if roll < 0.35:
            out.append(rng.choice(topic))
        elif roll < 0.75:
            out.append(_COMMON[min(len(_COMMON) - 1, int(rng.paretovariate(1.2)) - 1)])
        else:
            out.append(vocab[min(len(vocab) - 1, int(rng.paretovariate(0.9)) * 7 % len(vocab))])
    return " ".join(out).capitalize() + "."


def _skill(rng: random.Random, index: int, vocab: list[str]) -> tuple[str, dict[str, str]]:
    topic = rng.sample(vocab, 6)
    name = f"{topic[0]}-{topic[1]}-{index:05d}"
    description = (f"{_sentence(rng, topic, vocab, rng.randint(8, 20))[:-1]}. "
                   f"Use when the user asks about {topic[0]} or {topic[2]} {rng.choice(_COMMON)}.")
    extra = f"when_to_use: When {topic[3]} {rng.choice(_COMMON)} is needed.\n" if rng.random() < 0.2 else ""
    if rng.random() < 0.05:
        extra += "disable-model-invocation: true\n"
    sections = []
    for _ in range(rng.randint(3, 10)):
        heading = f"## {rng.choice(topic).capitalize()} {rng.choice(_COMMON)}"
        paragraphs = [_sentence(rng, topic, vocab, rng.randint(8, 30)) for _ in range(rng.randint(1, 6))]
        sections.append(heading + "\n\n" + "\n\n".join(paragraphs))
    files = {"SKILL.md": f"---\nname: {name}\ndescription: {description}\n{extra}---\n\n# {name}\n\n"
                         + "\n\n".join(sections) + "\n"}
    if rng.random() < 0.3:
        files["references/guide.md"] = "# Guide\n\n" + _sentence(rng, topic, vocab, 200) + "\n"
    return name, files


def generate(root: Path, count: int, seed: int = 0) -> list[Path]:
    """Write ``count`` synthetic skills under ``root`` (created if needed); return their folders."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng, max(2000, count * 3))
    folders = []
    for i in range(count):
        name, files = _skill(rng, i, vocab)
        folder = Path(root) / name
        for rel, text in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        folders.append(folder)
    return folders


if __name__ == "__main__":
    import sys
    import tempfile

    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="skills-synthetic-"))
    made = generate(target, int(sys.argv[1]) if len(sys.argv) > 1 else 100)
    print(f"wrote {len(made)} skills under {target}")
