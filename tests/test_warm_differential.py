"""A warm `check` (an earlier run's verdicts in --cache-dir) says exactly what a cold one says.

Differential: a generated register (benchmarks/generate.py) goes through rounds of
seeded random mutations that reach every rule family and every way a file can
change: edited in place, renamed, moved, deleted, added untracked or as a
symlink; staged, committed or left in the work tree; CODEOWNERS, the policy and
the exceptions edited; the date of the run moved across due dates. After each
round a run with the cache the earlier rounds left must equal a run without
one, finding for finding. The cache only saves work (README, "check"): whatever
it saves, it must not change an answer. Fixed seeds: a failure names its round
and the mutations that led there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.generate import generate
from portcheck.cache import CACHE_FILE
from portcheck.engine import check_cache, check_register
from portcheck.finding import Location

from .conftest import AS_OF, allocation, cache_parts, commit_all, console_script, git, new_repo

Row = tuple[str, int, int, str, str, str, tuple[Location, ...]]
Outcome = tuple[int, list[Row]]

DAY = dt.timedelta(days=1)
SCHEMA_PATH = "schema/allocation.schema.json"
#: Every family the mutations aim at: each must appear as a finding some round
#: added, or a mutation that breaks nothing (a bug in this file) would pass for a proof.
EXPECTED = {
    *("PC100", "PC101", "PC102", "PC103", "PC104", "PC200", "PC201", "PC202"),
    *("PC300", "PC301", "PC302", "PC303", "PC304", "PC400", "PC401", "PC402"),
    *("PC500", "PC501", "PC600", "PC601", "PC602", "PC800", "PC801", "PC802"),
}


#: Policy values a round toggles: each edit changes the cache's stamp, and the first
#: two move due dates (PC600, PC602), the last which ranges are too large (PC304).
POLICY_TOGGLES = (
    ("review_days", ("365", "300")),
    ("quarantine_days", ("90", "60")),
    ("max_range", ("64", "128")),
)


def outcome(root: Path, cache: Path | None, as_of: dt.date, **options: Any) -> Outcome:
    result = check_register(root, as_of=as_of, cache_dir=cache, **options)
    rows = [
        (f.path, f.line, f.column, f.code, str(f.severity), f.message, f.related)
        for f in result.findings
    ]
    return result.files, rows


def cache_holds_verdicts(root: Path, cache: Path) -> bool:
    """Whether a run now would recall verdicts (a policy edit makes the cache foreign)."""
    held = check_cache(root, None, cache)
    try:
        return held.holds_verdicts()
    finally:
        held.close()


def with_field(text: str, key: str, value: str | None) -> str:
    """``text`` with its top-level ``key`` set to ``value`` in place (appended when
    absent), or removed when ``value`` is None."""
    lines = text.splitlines()
    at = next((n for n, line in enumerate(lines) if line.startswith(key + ":")), None)
    if value is None:
        lines = [line for line in lines if not line.startswith(key + ":")]
    elif at is None:
        lines.append(f"{key}: {value}")
    else:
        lines[at] = f"{key}: {value}"
    return "\n".join(lines) + "\n"


def field(text: str, key: str) -> str | None:
    found = re.search(rf"^{re.escape(key)}:[ \t]*(.*)$", text, re.M)
    return None if found is None else found.group(1).strip()


def listed(value: str | None) -> list[str]:
    """The items of a flow list or a single scalar (``[a, b]`` or ``a``)."""
    if not value:
        return []
    return [item.strip() for item in value.strip("[]").split(",") if item.strip()]


def modeline_for(relative: str) -> str:
    """The modeline that leads from ``relative`` to the schema (docs/file-format.md)."""
    return "# yaml-language-server: $schema=" + "../" * relative.count("/") + SCHEMA_PATH


class Mutator:
    """Seeded changes to the register under ``root``; each returns what it did."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        # Fresh ports count down from 29999: the generator fills each band from its
        # bottom, so only a copying mutation makes one collide.
        self.port = 30000
        self.serial = 0
        self.ghosts: list[str] = []
        self.last: list[Row] = []  # the latest cold run's findings, to aim at
        self.deck: list[str] = []

    # Reading and writing the register.
    def files(self) -> list[Path]:
        return sorted(p for p in (self.root / "ports").rglob("*.yaml") if _plain(p))

    def pick(self) -> Path:
        return self.rng.choice(self.files())

    def text(self, path: Path) -> str:
        return path.read_text(encoding="utf-8", errors="replace")  # not_utf8 leaves UTF-16

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def fresh_port(self) -> int:
        self.port -= 1
        return self.port

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def edit(self, path: Path, change: Callable[[str], str]) -> str:
        path.write_text(change(self.text(path)), encoding="utf-8")
        return self.rel(path)

    def set_fields(self, path: Path, **fields: str | None) -> str:
        def change(text: str) -> str:
            for key, value in fields.items():
                text = with_field(text, key, value)
            return text

        return self.edit(path, change)

    def hit(self, *codes: str) -> Path | None:
        """A file the latest cold run reported one of ``codes`` on, if it still exists."""
        paths = sorted({row[0] for row in self.last if row[3] in codes})
        alive = [self.root / p for p in paths if (self.root / p).is_file()]
        return self.rng.choice(alive) if alive else None

    def new_text(self, relative: str, **fields: str | None) -> str:
        team = Path(relative).parent.name.removesuffix("-shadow")
        base = {
            "service": Path(relative).stem,
            "port": str(self.fresh_port()),
            "protocol": "tcp",
            "scope": "lab",
            "owner": f'"@acme/{team}"',
            "description": "Added by a differential round",
            "allocated": (AS_OF - 200 * DAY).isoformat(),
        }
        lines = [f"{key}: {value}" for key, value in {**base, **fields}.items() if value]
        return "\n".join([modeline_for(relative), *lines]) + "\n"

    def create(self, relative: str, **fields: str | None) -> str:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.new_text(relative, **fields), encoding="utf-8")
        return relative

    def codeowners(self, change: Callable[[list[str]], list[str]]) -> str:
        path = self.root / ".github/CODEOWNERS"
        lines = change(self.text(path).splitlines())
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return "CODEOWNERS"

    # Collisions (PC400) made and ended.
    def collide_with_copy(self) -> str:
        a, b = self.rng.sample(self.files(), 2)
        text = self.text(b)
        keys = ("port", "protocol", "scope")
        return self.set_fields(a, **{key: field(text, key) for key in keys}) + " copies " + b.name

    def collide_from_containing_scope(self) -> str:
        a, b = self.rng.sample(self.files(), 2)
        text = self.text(b)
        scopes = listed(field(text, "scope")) or ["global"]
        inner = scopes[0].split("/")[0]
        outer = "prod" if scopes[0] == "global" else self.rng.choice(["global", inner])
        fields = {"port": field(text, "port"), "protocol": field(text, "protocol")}
        return self.set_fields(a, **fields, scope=outer) + f" contains {b.name}"

    def end_a_collision(self) -> str:
        path = self.hit("PC400") or self.pick()
        return self.set_fields(path, port=str(self.fresh_port()), scope="lab") + " moves away"

    # Ownership (PC500, PC501) from both sides: the files and CODEOWNERS.
    def mismatch_owner(self) -> str:
        return self.set_fields(self.pick(), owner='"@acme/someone-else"')

    def restore_owner(self) -> str:
        path = self.hit("PC501") or self.pick()
        team = path.parent.name.removesuffix("-shadow")
        return self.set_fields(path, owner=f'"@acme/{team}"')

    def move_to_unowned_folder(self) -> str:
        unowned = "/ports/attic/"  # a line without owners un-assigns the folder
        self.codeowners(lambda lines: lines if unowned in lines else [*lines, unowned])
        return self.move(self.pick(), self.root / "ports/attic")

    def move_deeper(self) -> str:
        path = self.pick()
        return self.move(path, path.parent / "old")  # its modeline now misses (PC104)

    def move(self, path: Path, folder: Path) -> str:
        target = folder / path.name
        if target.exists():
            return "no move"
        folder.mkdir(parents=True, exist_ok=True)
        path.rename(target)
        return f"{self.rel(path)} -> {self.rel(target)}"

    def add_codeowners_rule(self) -> str:
        team = self.rng.choice(["someone", *self.teams()])
        exact = "/" + self.rel(self.pick())
        line = self.rng.choice([f"*.yaml @acme/{team}", f"{exact} @acme/{team}", exact])
        return self.codeowners(lambda lines: [*lines, line]) + f" + {line}"

    def drop_codeowners_line(self) -> str:
        def change(lines: list[str]) -> list[str]:
            droppable = [n for n, line in enumerate(lines) if line.startswith(("/ports/", "*."))]
            if droppable:
                latest = self.rng.random() < 0.5  # often what an earlier round added
                del lines[droppable[-1] if latest else self.rng.choice(droppable)]
            return lines

        return self.codeowners(change) + " - a ports line"

    def toggle_catch_all(self) -> str:
        catch_all = "* @acme/platform"
        return self.codeowners(
            lambda lines: (
                [n for n in lines if n != catch_all] if catch_all in lines else [catch_all, *lines]
            )
        )

    def teams(self) -> list[str]:
        return sorted(p.name for p in (self.root / "ports").iterdir() if p.is_dir())

    # Dates near AS_OF, so that runs on other days cross them (PC600-PC602).
    def near(self, day: dt.date) -> str:
        return (day + self.rng.randint(-45, 45) * DAY).isoformat()

    def review_due_near(self) -> str:
        allocated = (AS_OF - 500 * DAY).isoformat()
        return self.set_fields(self.pick(), allocated=allocated, review_by=self.near(AS_OF))

    def default_review_near(self) -> str:
        allocated = self.near(AS_OF - 365 * DAY)
        return self.set_fields(self.pick(), allocated=allocated, review_by=None)

    def expiry_near(self) -> str:
        fields = {"status": "reserved", "expires": self.near(AS_OF), "retired_on": None}
        return self.set_fields(self.pick(), allocated=(AS_OF - 500 * DAY).isoformat(), **fields)

    def retirement_near(self) -> str:
        fields = {"status": "retired", "retired_on": self.near(AS_OF - 90 * DAY), "expires": None}
        return self.set_fields(self.pick(), allocated=(AS_OF - 500 * DAY).isoformat(), **fields)

    # Dependencies (PC402).
    def depend_on_ghost(self) -> str:
        ghost = f"ghost-{self.next_serial()}"
        self.ghosts.append(ghost)
        path = self.pick()
        wanted = [*listed(field(self.text(path), "depends_on")), ghost]
        return self.set_fields(path, depends_on="[" + ", ".join(wanted) + "]")

    def delete_a_dependency(self) -> str:
        texts = [self.text(p) for p in self.files()]
        wanted = {item for text in texts for item in listed(field(text, "depends_on"))}
        targets = [p for p in self.files() if p.stem in wanted]
        if not targets:
            return self.depend_on_ghost()
        target = self.rng.choice(targets)
        target.unlink()
        return f"deleted {self.rel(target)}, a dependency"

    def satisfy_a_ghost(self) -> str:
        if not self.ghosts:
            return self.depend_on_ghost()
        ghost = self.ghosts.pop(self.rng.randrange(len(self.ghosts)))
        return self.create(f"ports/{self.rng.choice(self.teams())}/{ghost}.yaml")

    # Modelines (PC104).
    def break_modeline(self) -> str:
        return self.replace_once("$schema=../../", "$schema=../")

    def fix_modeline(self) -> str:
        path = self.hit("PC104") or self.pick()
        line = modeline_for(self.rel(path))
        kept = [n for n in self.text(path).splitlines() if "$schema=" not in n]
        path.write_text("\n".join([line, *kept]) + "\n", encoding="utf-8")
        return self.rel(path)

    # Policy ranges (PC300-PC304): the generated policy's sctp stops at 49151.
    def outside_range(self) -> str:
        return self.set_fields(self.pick(), port=str(50000 + self.next_serial()), protocol="sctp")

    def reserved_port(self) -> str:
        port = str(6000 + self.rng.randrange(64))  # X11, tcp only
        return self.set_fields(self.pick(), port=port, protocol="tcp", scope="lab")

    def refused_protocol(self) -> str:
        return self.set_fields(self.pick(), protocol="[tcp, dccp]")

    def unknown_scope(self) -> str:
        return self.set_fields(self.pick(), scope="[prod/mars]")

    def range_too_large(self) -> str:
        start = 27000 - 101 * self.next_serial()  # below the fresh ports
        return self.set_fields(self.pick(), port=f'"{start}-{start + 100}"', scope="lab")

    # Loading and the schema stage (PC100-PC103, PC200-PC202), and repairs.
    def replace_once(self, old: str, new: str) -> str:
        return self.edit(self.pick(), lambda text: text.replace(old, new, 1))

    def break_yaml(self) -> str:
        return self.replace_once("\nprotocol: ", "\nprotocol: [")

    def duplicate_key(self) -> str:
        return self.edit(self.pick(), lambda text: text + 'owner: "@acme/twice"\n')

    def unsafe_yaml(self) -> str:
        return self.replace_once("\ndescription: ", "\ndescription: &a ")

    def schema_error(self) -> str:
        broken = self.rng.choice([{"port": "70000"}, {"status": "lost"}, {"allocated": "someday"}])
        return self.set_fields(self.pick(), **broken)

    def unknown_field(self) -> str:
        return self.replace_once("\nprotocol:", "\nprotcol:")

    def ambiguous_port(self) -> str:
        return self.set_fields(self.pick(), port=f"0{self.fresh_port()}")

    def too_large(self) -> str:
        return self.edit(self.pick(), lambda text: text + "# " + "x" * 65536 + "\n")

    def not_utf8(self) -> str:
        path = self.pick()
        path.write_bytes(self.text(path).encode("utf-16"))
        return self.rel(path)

    def repair_a_file(self) -> str:
        path = self.hit("PC100", "PC101", "PC102", "PC200", "PC201", "PC202") or self.pick()
        return self.create(self.rel(path))

    # The files themselves: ids (PC401), odd files (PC103), renames, deletions, additions.
    def duplicate_id(self) -> str:
        path = self.pick()
        folder = self.rng.choice([t for t in self.teams() if t != path.parent.name] or ["twin"])
        return self.create(f"ports/{folder}/{path.name}")

    def rename(self) -> str:
        path = self.pick()
        target = path.with_name(f"{path.stem}-r{self.next_serial()}.yaml")
        path.rename(target)
        return f"{self.rel(path)} -> {self.rel(target)}"

    def delete_files(self) -> str:
        every = [p for p in sorted((self.root / "ports").rglob("*")) if not p.is_dir()]
        gone = self.rng.sample(every, min(len(every), self.rng.randint(1, 3)))
        for path in gone:
            path.unlink()
        return "deleted " + ", ".join(self.rel(p) for p in gone)

    def add_untracked(self) -> str:
        folder = self.rng.choice(self.teams())
        return self.create(f"ports/{folder}/new-{self.next_serial()}.yaml")

    def add_odd_file(self) -> str:
        folder = self.root / "ports" / self.rng.choice(self.teams())
        odd = folder / self.rng.choice([f"notes-{self.next_serial()}.txt", "spare.yml"])
        if self.rng.random() < 0.5:
            odd = folder / f"link-{self.next_serial()}.yaml"
            odd.symlink_to(os.path.relpath(self.pick(), folder))
        else:
            odd.write_text("service: odd\n", encoding="utf-8")
        return self.rel(odd)

    # The schema/ folder: the policy (the cache's stamp) and the exceptions.
    def edit_policy(self) -> str:
        path = self.root / "schema/policy.yaml"
        key, values = self.rng.choice(POLICY_TOGGLES)
        text = self.text(path)
        value = values[1] if field(text, key) == values[0] else values[0]
        path.write_text(with_field(text, key, value), encoding="utf-8")
        return f"policy {key}: {value}"

    def edit_exceptions(self) -> str:
        target = self.hit("PC300", "PC301")
        entries = [("PC301", self.pick().stem, self.near(AS_OF))]  # most likely unused
        if target is not None:
            codes = {r[3] for r in self.last if r[0] == self.rel(target)}
            code = "PC301" if "PC301" in codes else "PC300"
            entries.append((code, target.stem, self.near(AS_OF + 30 * DAY)))
        entries.append(("PC300", f"nobody-{self.next_serial()}", "2030-01-01"))
        body = "".join(
            f"  - {{rule: {code}, allocation: {ident}, reason: legacy, expires: {until},"
            ' requested_by: "@acme/platform"}\n'
            for code, ident, until in entries
        )
        (self.root / "schema/exceptions.yaml").write_text("exceptions:\n" + body, encoding="utf-8")
        return "exceptions for " + ", ".join(ident for _, ident, _ in entries)

    MUTATIONS = (
        "collide_with_copy", "collide_from_containing_scope", "end_a_collision",
        "mismatch_owner", "restore_owner", "move_to_unowned_folder", "move_deeper",
        "add_codeowners_rule", "drop_codeowners_line", "toggle_catch_all",
        "review_due_near", "default_review_near", "expiry_near", "retirement_near",
        "depend_on_ghost", "delete_a_dependency", "satisfy_a_ghost",
        "break_modeline", "fix_modeline", "outside_range", "reserved_port",
        "refused_protocol", "unknown_scope", "range_too_large", "break_yaml",
        "duplicate_key", "unsafe_yaml", "too_large", "not_utf8", "schema_error", "unknown_field",
        "ambiguous_port", "repair_a_file", "duplicate_id", "rename", "delete_files",
        "add_untracked", "add_odd_file", "edit_policy", "edit_exceptions",
    )  # fmt: skip

    def round(self, count: int) -> list[str]:
        """``count`` mutations, dealt from a shuffled deck so every kind comes up."""
        done = []
        for _ in range(count):
            if not self.deck:
                self.deck = self.rng.sample(self.MUTATIONS, len(self.MUTATIONS))
            name = self.deck.pop()
            done.append(f"{name}: {getattr(self, name)()}")
        return done

    def settle(self) -> str:
        """Leave the round's changes in the work tree, staged, partly staged or committed."""
        how = self.rng.choice(["work tree", "staged", "partly staged", "committed"])
        if how == "staged":
            git(self.root, "add", "-A")
        elif how == "partly staged":
            git(self.root, "add", "-A", "--", f"ports/{self.rng.choice(self.teams())}")
        elif how == "committed":
            commit_all(self.root, "a differential round")
        return how


def _plain(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def generated_repo(root: Path, files: int, seed: int) -> Path:
    generate(root, files=files, seed=seed, dirty=28)  # two of each kind of dirty file
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "generated register")
    return root


ROUNDS = 40


def test_a_warm_run_equals_a_cold_run_after_any_change(tmp_path: Path) -> None:
    root = generated_repo(tmp_path / "repo", files=120, seed=11)
    cache = root / ".portcheck-cache"
    rng = random.Random(20261127)
    mutator = Mutator(root, rng)
    assert outcome(root, cache, AS_OF) == outcome(root, None, AS_OF)  # fills the cache
    base = git(root, "rev-parse", "HEAD").strip()
    added: set[str] = set()  # the codes of findings a round made appear
    recalled = restamped = ended = excepted = 0
    for number in range(ROUNDS):
        done = mutator.round(rng.randint(1, 4))
        done.append(mutator.settle())
        as_of = AS_OF if rng.random() < 0.6 else AS_OF + rng.randint(-60, 60) * DAY
        options = round_options(rng, mutator, base)
        recalled += cache_holds_verdicts(root, cache)
        restamped += any(change.startswith("edit_policy") for change in done)
        warm = outcome(root, cache, as_of, **options)
        cold = outcome(root, None, as_of, **options)
        assert warm == cold, f"round {number} as of {as_of}, {options}: {done}"
        assert (cache / CACHE_FILE).is_file()
        if options:
            continue  # the rounds below compare whole registers' findings
        ended += bool((_collisions(mutator.last) - _collisions(cold[1])) & _alive(root))
        excepted += any("(excepted until" in row[5] for row in cold[1])
        added |= {row[3] for row in set(cold[1]) - set(mutator.last)}
        mutator.last = cold[1]
    assert added >= EXPECTED, f"no round made these appear: {sorted(EXPECTED - added)}"
    assert ended  # some round made a collision go away
    assert excepted  # and some exception turned a finding into a note
    assert recalled >= ROUNDS - restamped  # only a policy edit made the cache foreign


def round_options(rng: random.Random, mutator: Mutator, base: str) -> dict[str, Any]:
    """Most rounds check the whole register; some show one folder, some run the gate."""
    roll = rng.random()
    if roll < 0.15:
        return {"paths": [f"ports/{rng.choice(mutator.teams())}"]}
    if roll < 0.25:
        return {"base": base}
    return {}


def _collisions(rows: list[Row]) -> set[str]:
    return {row[0] for row in rows if row[3] == "PC400"}


def _alive(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "ports").rglob("*.yaml")}


def checked_as_json(root: Path, cache: Path, as_of: dt.date) -> tuple[int, bytes]:
    command = [console_script(), "check", "--root", str(root), "--format", "json"]
    command += ["--cache-dir", str(cache), "--as-of", as_of.isoformat()]
    done = subprocess.run(command, capture_output=True, check=False, timeout=60)
    assert done.stderr == b""
    return done.returncode, done.stdout


def test_the_cli_prints_the_same_json_warm_and_cold(tmp_path: Path) -> None:
    root = generated_repo(tmp_path / "repo", files=80, seed=5)
    cache, colds = tmp_path / "cache", iter(tmp_path / f"cold-{n}" for n in range(10))
    mutator = Mutator(root, random.Random(7))
    first = checked_as_json(root, cache, AS_OF)  # an empty folder: cold, and fills it
    assert (cache / CACHE_FILE).is_file()
    assert checked_as_json(root, cache, AS_OF) == first
    for name in ["collide_with_copy", "review_due_near", "retirement_near", "mismatch_owner"]:
        getattr(mutator, name)()
    git(root, "add", "-A", "--", "ports")  # some changes staged, then more in the work tree
    for name in ["add_untracked", "break_modeline", "depend_on_ghost", "break_yaml"]:
        getattr(mutator, name)()
    for as_of in (AS_OF, AS_OF + 60 * DAY):  # the later day crosses the new due dates
        warm = checked_as_json(root, cache, as_of)
        assert warm == checked_as_json(root, next(colds), as_of), as_of
        assert warm[0] == 1
    codes = {finding["code"] for finding in json.loads(warm[1])["findings"]}
    assert {"PC100", "PC104", "PC400", "PC402", "PC501", "PC600"} <= codes


def test_a_file_whose_line_ends_git_normalises_is_judged_again(tmp_path: Path) -> None:
    """With core.autocrlf (Git for Windows' default) a file's LF and CRLF forms are one
    blob, and the 64 KiB limit tells them apart: 64,000 bytes with LF, more with CRLF."""
    text = allocation(port=8080)
    text += "#\n" * ((64_000 - len(text)) // 2)
    root = new_repo(tmp_path / "repo", {"ports/a.yaml": text})
    git(root, "config", "core.autocrlf", "true")
    cache = root / ".portcheck-cache"
    assert outcome(root, cache, AS_OF) == (1, [])
    path = root / "ports/a.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    git(root, "add", "ports/a.yaml")  # git stores the LF form: the blob it had
    assert [row[3] for row in outcome(root, None, AS_OF)[1]] == ["PC102"]
    assert outcome(root, cache, AS_OF) == outcome(root, None, AS_OF)


#: Changes that make, move or remove claims: each round of the test below starts from
#: a register whose cache says no two stored claims can collide.
CLAIM_CHANGES = (
    "collide_with_copy", "collide_from_containing_scope", "end_a_collision", "move_deeper",
    "rename", "delete_files", "add_untracked", "outside_range", "range_too_large",
    "duplicate_id", "break_yaml", "repair_a_file",
)  # fmt: skip


def test_a_warm_run_trusting_apart_rows_equals_a_cold_run(tmp_path: Path) -> None:
    """From a register without collisions the cache says its rows are apart, and a
    warm run sweeps only the claims that meet a changed row (checks.collisions):
    whatever the change, it must find what a cold run finds."""
    root = tmp_path / "repo"
    generate(root, files=150, seed=12)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "generated register")
    clean = git(root, "rev-parse", "HEAD").strip()
    cache = root / ".portcheck-cache"
    rng = random.Random(20261201)
    mutator = Mutator(root, rng)
    collided = 0
    for number in range(25):
        git(root, "reset", "-q", "--hard", clean)
        git(root, "clean", "-q", "-fd")  # not -x: the cache is ignored, and stays
        assert outcome(root, cache, AS_OF)[1] == []  # refreshes the cache
        header = cache_parts(cache)[0]
        assert header["apart"] is True
        changes = rng.sample(CLAIM_CHANGES, rng.randint(1, 3))
        if number % 2:  # and every other round surely meets a stored claim
            changes.insert(0, rng.choice(CLAIM_CHANGES[:2]))
        done = [f"{name}: {getattr(mutator, name)()}" for name in changes]
        done.append(mutator.settle())
        warm, cold = outcome(root, cache, AS_OF), outcome(root, None, AS_OF)
        assert warm == cold, f"round {number}: {done}"
        collided += any(row[3] == "PC400" for row in cold[1])
        mutator.last = cold[1]
    assert collided >= 12  # the narrowed sweep had collisions to find
