"""One build's prepared index as files a serving process maps instead of rebuilding.

``save_prepared`` writes everything ``assemble_index`` made, whatever its fields:
frames and series as Arrow IPC (categorical columns as text, mapped
without a copy), arrays as ``.npy``, name lists, sets and lookup
tables as small frames, nested dataclasses as folders of the same; a manifest
(format, release, build id, each file's size and digest) is written last and the
folder renamed into place, so a half-written one is never seen. ``open_prepared``
maps it back (Arrow IPC and ``.npy`` memory-mapped: pages are read as searches
touch them and shared by every process on the machine). A folder of another
build, another release, or with a file missing, cut short or changed raises
``PreparedRefused`` saying which, and the caller loads the build from its rows.
The files hold the same personal data as the index and need the same protection.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc

from core.config import Config

#: Bumped when the layout of the files changes.
FORMAT = 1
MANIFEST = "manifest.json"
#: Where nested dataclasses may come from (a manifest never names other code).
_PACKAGE = "lookup."
_ROOT = Path(__file__).resolve().parents[1]
#: Code whose change makes earlier prepared files another release's: what
#: ``assemble_index`` runs, and the name tables it reads.
_RELEASE_FILES = ("lookup/*.py", "linkage/names.py", "linkage/standardise.py",
                  "linkage/index_tables.py", "linkage/data/*")  # fmt: skip
#: Bytes read at a time while a file's digest is checked.
_READ_CHUNK = 8 << 20
#: Files checked at once (zlib lets go of the GIL while it sums).
_CHECKERS = 2
#: Temporary folders older than this were left by a killed writer.
_STALE_TMP_S = 3600


class PreparedRefused(Exception):  # noqa: N818 (a refusal, handled, not raised on)
    """The prepared files cannot serve this build; ``code`` says why (loggable)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def prepared_folder(config: Config) -> Path:
    """``storage.prepared_folder``, else ``prepared/`` beside a SQLite index file,
    else ``data/prepared`` under the config's folder."""
    if config.storage.prepared_folder:
        folder = Path(config.storage.prepared_folder)
        return folder if folder.is_absolute() else config.base_dir / folder
    prefix = "sqlite:///"
    url = config.storage.index_url
    if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
        return Path(url[len(prefix) :]).parent / "prepared"
    return config.base_dir / "data" / "prepared"


@cache
def release() -> str:
    """A digest of the code and tables the prepared structures come from, and the
    library versions that read the files."""
    digest = hashlib.blake2b(digest_size=16)
    versions = f"{FORMAT} {pl.__version__} {np.__version__} {pa.__version__}"
    digest.update(versions.encode())
    for pattern in _RELEASE_FILES:
        for path in sorted(_ROOT.glob(pattern)):
            digest.update(path.relative_to(_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    """CRC-32 of the file (finds a file damaged on disk or in a copy; the files
    are protected as the index is, not signed), read in chunks so its pages are
    not counted as the process's."""
    crc, chunk = 0, bytearray(_READ_CHUNK)
    view = memoryview(chunk)
    with path.open("rb", buffering=0) as handle:
        while n := handle.readinto(chunk):
            crc = zlib.crc32(view[:n], crc)
    return f"crc32:{crc:08x}"


class _Writer:
    """Writes leaves under ``folder``, recording each file's size and digest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, dict] = {}

    def _done(self, name: str) -> str:
        path = self.folder / name
        self.files[name] = {"size": path.stat().st_size, "digest": _file_digest(path)}
        return name

    def frame(self, name: str, frame: pl.DataFrame) -> str:
        path = self.folder / f"{name}.arrow"
        frame.rechunk().with_columns(as_text()).write_ipc(
            path, compression="uncompressed"
        )
        return self._done(f"{name}.arrow")

    def array(self, name: str, array: np.ndarray) -> str:
        if array.dtype.hasobject:
            raise TypeError(f"{name}: an array of Python objects cannot be mapped")
        np.save(self.folder / f"{name}.npy", np.ascontiguousarray(array))
        return self._done(f"{name}.npy")


def as_text() -> list[pl.Expr]:
    """Categorical columns as text: polars maps text from a file without a copy,
    but registers every distinct value of a categorical on each load (at a
    million records, hundreds of MB and seconds per process)."""
    return [
        pl.col(pl.Categorical).cast(pl.Utf8),
        pl.col(pl.List(pl.Categorical)).cast(pl.List(pl.Utf8)),
    ]


def _encode(value: Any, name: str, out: _Writer) -> dict:  # noqa: C901, PLR0911
    """The manifest node for ``value``, its data written through ``out``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"kind": "value", "value": value}
    if isinstance(value, pl.DataFrame):
        return {"kind": "frame", "file": out.frame(name, value)}
    if isinstance(value, pl.Series):
        return {"kind": "series", "name": value.name,
                "file": out.frame(name, value.to_frame("v"))}  # fmt: skip
    if isinstance(value, np.ndarray):
        return {"kind": "array", "file": out.array(name, value)}
    if isinstance(value, (frozenset, set, list, tuple)):
        kind = type(value).__name__
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        if not all(isinstance(v, str) for v in items):
            raise TypeError(f"{name}: only collections of text are saved")
        series = pl.Series("v", items, dtype=pl.Utf8)
        return {"kind": kind, "file": out.frame(name, series.to_frame())}
    if isinstance(value, dict):
        return _encode_dict(value, name, out)
    if is_dataclass(value) and type(value).__module__.startswith(_PACKAGE):
        kind = type(value)
        return {
            "kind": "dataclass",
            "type": f"{kind.__module__}:{kind.__qualname__}",
            "fields": {
                f.name: _encode(getattr(value, f.name), f"{name}.{f.name}", out)
                for f in fields(value)
            },
        }
    if type(value).__name__ == "Engine":
        return {"kind": "absent"}  # a connection, given again by the loader
    raise TypeError(f"{name}: a {type(value).__name__} cannot be saved")


def _texts(values: tuple) -> bool:
    return all(isinstance(v, str) for v in values)


def _encode_dict(value: dict, name: str, out: _Writer) -> dict:
    """A dict of text keys to numbers, text tuples or arrays, as one frame."""
    if not value:
        return {"kind": "dict_empty"}
    keys = list(value)
    if not all(isinstance(k, str) for k in keys):
        raise TypeError(f"{name}: only dicts with text keys are saved")
    items = list(value.values())
    if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        kind, column, extra = "dict_int", pl.Series(items, dtype=pl.Int64), {}
    elif all(isinstance(v, tuple) and _texts(v) for v in items):
        kind, extra = "dict_strs", {}
        column = pl.Series(items, dtype=pl.List(pl.Utf8))
    elif all(isinstance(v, np.ndarray) and v.ndim == 1 for v in items):
        dtype = np.result_type(*items)
        kind, extra = "dict_array", {"dtype": dtype.str}
        column = pl.Series([v.astype(dtype) for v in items])
    else:
        raise TypeError(f"{name}: the values of this dict cannot be saved")
    frame = pl.DataFrame({"k": pl.Series(keys, dtype=pl.Utf8), "v": column})
    return {"kind": kind, "file": out.frame(name, frame), **extra}


def save_prepared(index: Any, folder: Path, build_id: str | None = None) -> Path:
    """Write ``index`` (a dataclass, e.g. ``LinkedIndex``) as ``folder/<build id>``;
    returns that folder. One already there is kept when it is intact and of this
    release (it was made from the same build), else replaced."""
    build_id = build_id or index.build_id
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / build_id
    tmp = folder / f".{build_id}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir(mode=0o700)
    try:
        out = _Writer(tmp)
        root = _encode(index, "index", out)
        manifest = {"format": FORMAT, "release": release(), "build_id": build_id,
                    "root": root, "files": out.files}  # fmt: skip
        (tmp / MANIFEST).write_text(json.dumps(manifest))
        try:
            os.rename(tmp, final)
        except OSError:
            if _serves(folder, build_id):
                shutil.rmtree(tmp)  # another process saved the same build first
            else:  # files of another release (or damaged): replaced
                old = folder / f".{build_id}.{uuid.uuid4().hex[:8]}.old.tmp"
                os.rename(final, old)
                os.rename(tmp, final)
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _serves(folder: Path, build_id: str) -> bool:
    try:
        read_manifest(folder, build_id)
    except PreparedRefused:
        return False
    return True


def prune(folder: Path, keep: set[str]) -> list[str]:
    """Delete saved builds not in ``keep`` and temporary folders left by a killed
    writer; returns the build ids deleted. A process still mapping a deleted
    build's files keeps them until it lets go."""
    gone = []
    if not folder.is_dir():
        return gone
    for path in folder.iterdir():
        temp = path.name.startswith(".") and path.name.endswith(".tmp")
        if temp and time.time() - path.stat().st_mtime < _STALE_TMP_S:
            continue
        if path.is_dir() and (temp or path.name not in keep):
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path.name)
    return gone


def read_manifest(folder: Path, build_id: str) -> dict:
    """The manifest of ``build_id``'s prepared files, checked against the build,
    the release and the files on disk (size and digest)."""
    path = folder / build_id / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise PreparedRefused("missing") from exc
    except (OSError, ValueError) as exc:
        raise PreparedRefused("unreadable_manifest") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PreparedRefused("other_format")
    if manifest.get("build_id") != build_id:
        raise PreparedRefused("other_build")
    if manifest.get("release") != release():
        raise PreparedRefused("other_release")
    with ThreadPoolExecutor(_CHECKERS) as pool:
        found = list(pool.map(_check_file, [folder / build_id] * len(manifest["files"]),
                              manifest["files"].items()))  # fmt: skip
    for problem in found:
        if problem:
            raise PreparedRefused(problem)
    return manifest


def _check_file(base: Path, item: tuple[str, dict]) -> str:
    """'' when the file is as its manifest entry says, else the refusal's code."""
    name, want = item
    try:
        if (base / name).stat().st_size != want["size"]:
            return "file_size"
        return "" if _file_digest(base / name) == want["digest"] else "file_digest"
    except OSError:
        return "file_missing"


def _frame(path: Path) -> pl.DataFrame:
    """An Arrow IPC file, memory-mapped: polars takes its buffers without a copy."""
    with pa.memory_map(str(path)) as source:
        table = ipc.open_file(source).read_all()
    return pl.from_arrow(table, rechunk=False)  # type: ignore[return-value]


def _decode(node: dict, base: Path) -> Any:  # noqa: C901, PLR0911
    kind = node["kind"]
    if kind == "value":
        return node["value"]
    if kind == "absent":
        return None
    if kind == "dict_empty":
        return {}
    if kind == "array":
        # a plain array over the mapped file: numpy's memmap subclass runs Python
        # on every index and slice (a few microseconds each, hundreds a request)
        mapped = np.load(base / node["file"], mmap_mode="r", allow_pickle=False)
        return np.asarray(mapped)
    if kind == "dataclass":
        return _dataclass(node, base)
    frame = _frame(base / node["file"])
    if kind == "frame":
        return frame
    if kind == "series":
        return frame.to_series().alias(node["name"])
    if kind in ("frozenset", "set", "list", "tuple"):
        return {"frozenset": frozenset, "set": set, "list": list,
                "tuple": tuple}[kind](frame.to_series().to_list())  # fmt: skip
    keys = frame["k"].to_list()
    if kind == "dict_int":
        return dict(zip(keys, frame["v"].to_list(), strict=True))
    if kind == "dict_strs":
        return dict(zip(keys, map(tuple, frame["v"].to_list()), strict=True))
    if kind == "dict_array":
        dtype = np.dtype(node["dtype"])
        values = (np.asarray(v, dtype=dtype) for v in frame["v"].to_list())
        return dict(zip(keys, values, strict=True))
    raise PreparedRefused("unknown_kind")


def _dataclass(node: dict, base: Path) -> Any:
    module, _, qualname = node["type"].partition(":")
    if not module.startswith(_PACKAGE):
        raise PreparedRefused("foreign_type")
    try:
        kind = getattr(importlib.import_module(module), qualname)
    except (ImportError, AttributeError) as exc:
        raise PreparedRefused("unknown_type") from exc
    if not is_dataclass(kind) or {f.name for f in fields(kind)} != set(node["fields"]):
        raise PreparedRefused("other_fields")
    return kind(**{k: _decode(v, base) for k, v in node["fields"].items()})


def open_prepared(folder: Path, build_id: str) -> Any:
    """``build_id``'s saved index, mapped; ``PreparedRefused`` when the files are
    missing, of another build or release, or not as their manifest says."""
    manifest = read_manifest(folder, build_id)
    try:
        return _decode(manifest["root"], folder / build_id)
    except PreparedRefused:
        raise
    except Exception as exc:  # a file that passed its digest yet does not parse
        raise PreparedRefused("unreadable_file") from exc
