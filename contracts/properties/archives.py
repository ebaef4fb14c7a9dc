"""Archives of selected files, and restoring a backed-up version
(https://cloudinary.com/documentation/image_upload_api_reference#generate_archive,
https://cloudinary.com/documentation/admin_api#restore_resources)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from contracts import checks, citations, strategies
from contracts.failures import LawViolation
from contracts.kit import Kit
from contracts.properties import prop
from contracts.strategies import TINY_PNG, TURTLE_SIZED_JPEG, ImageSpec, RawSpec

# -- archives ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    """An uploaded file: its public id, its name in an archive and its bytes."""

    public_id: str
    name: str
    data: bytes


def _store(kit: Kit, file: ImageSpec | RawSpec, group: str, n: int, tags: list[str]) -> Stored:
    kind = "raw" if isinstance(file, RawSpec) else "image"
    part = file.part()
    # A raw file's public id keeps its extension, as an upload that names none gives it
    public_id = f"{group}/f{n}" + (f".{file.extension}" if isinstance(file, RawSpec) else "")
    exchange = kit.client.upload(part, {"public_id": public_id, "tags": ",".join([kit.run_tag, *tags])},
                                 resource_type=kind)
    answer = checks.status(exchange, 200)
    name = answer["public_id"] + (f".{answer['format']}" if answer.get("format") else "")
    return Stored(answer["public_id"], name, part.data)


def _unzip(exchange: Any) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(exchange.response.body)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except zipfile.BadZipFile as exc:
        raise LawViolation(f"the archive is not a zip file ({exc})", exchange=exchange,
                           docs=citations.UPLOAD_API) from None


@prop("archive_contents", "generate_archive (mode=download) of selected files, by public id or by tag, holds "
      "exactly those files, byte for byte, named by public id (and format)")
def archive_contents(kit: Kit) -> None:
    c = kit.client

    @given(files=st.lists(st.one_of(strategies.images, strategies.raw_files), min_size=1, max_size=4),
           chosen=st.sets(st.integers(0, 3), min_size=1), by_tag=st.booleans())
    @example(files=[TURTLE_SIZED_JPEG, TINY_PNG], chosen={0}, by_tag=False)
    @example(files=[TINY_PNG, TURTLE_SIZED_JPEG, TINY_PNG], chosen={0, 2}, by_tag=True)
    def test(files: list[ImageSpec | RawSpec], chosen: set[int], by_tag: bool) -> None:
        kind = "raw" if isinstance(files[0], RawSpec) else "image"
        files = [f for f in files if isinstance(f, RawSpec) == (kind == "raw")]  # one resource type per archive
        picked = sorted(i for i in chosen if i < len(files)) or [0]
        group = kit.new_id("zip")
        label = group.replace("/", "_")
        stored = [_store(kit, f, group, n, [label] if n in picked else []) for n, f in enumerate(files)]
        selected = [stored[i] for i in picked]
        selection: dict[str, str | list[str]] = (
            {"tags": [label]} if by_tag else {"public_ids": [s.public_id for s in selected]})
        exchange = c.send(c.upload_api_request("generate_archive", {"mode": "download", "target_format": "zip",
                                                                    **selection}, resource_type=kind))
        if exchange.response.status != 200:
            checks.conforms(exchange, None)
            checks.status(exchange, 200, why="an archive of files that exist")
        found = _unzip(exchange)
        expected = {s.name: s.data for s in selected}
        checks.equal(exchange, "archive entries (names)", sorted(expected), sorted(found), citations.UPLOAD_API)
        for name, data in expected.items():
            if found[name] != data:
                raise LawViolation(f"archive entry {name}: {len(found[name])} bytes differ from the {len(data)} "
                                   f"uploaded", exchange=exchange, docs=citations.UPLOAD_API)

    kit.run(test, scale=0.3)


# -- backup and restore ------------------------------------------------------------------------------------------

SAME_FILE = ["bytes", "etag", "format", "width", "height"]


@prop("restore_backup", "restoring a backed-up version (backup=true, then an overwrite) gives back that version: "
      "bytes, etag, format, dimensions, as restore answers and explicit reads back", admin=4)
def restore_backup(kit: Kit) -> None:
    c = kit.client

    @given(first=strategies.images, second=strategies.images)
    @example(first=TINY_PNG, second=TURTLE_SIZED_JPEG)
    def test(first: ImageSpec, second: ImageSpec) -> None:
        public_id = kit.new_id("backup")
        fields = {"public_id": public_id, "tags": kit.run_tag, "backup": "true", "overwrite": "true"}
        kept = checks.status(c.upload(first.part(), fields), 200)
        checks.status(c.upload(second.part(), fields), 200)
        restore = c.admin("POST", "resources/image/upload/restore", schema="restore",
                          form=[("public_ids[]", public_id), ("versions[]", kept["version_id"])])
        answer = checks.status(restore, 200).get(public_id)
        if not isinstance(answer, dict) or "error" in answer:
            raise LawViolation(f"restore of version {kept['version_id']} of {public_id}: {answer!r}",
                               exchange=restore, docs=citations.ADMIN_API)
        checks.fields_agree(restore, kept, answer, SAME_FILE, "restored vs the version backed up")
        back = c.explicit(public_id, {})
        checks.fields_agree(back, kept, checks.status(back, 200), SAME_FILE, "explicit after the restore")

    kit.run(test, scale=0.3)
