"""Reading a GGUF file's metadata header without llama.cpp: what a load must know first.

The header is a list of typed key/value pairs ahead of the tensors. Only the keys asked
for are kept; arrays (the vocabulary) are skipped over. A header that breaks off or
claims more than the file holds ends the scan with what was found.

>>> from neurosym.model.locate import embedded_model_path
>>> path = embedded_model_path()
>>> path is None or trained_context(path) == 8192
True
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["MetadataValue", "GGUFHeader", "read_metadata", "read_header", "trained_context"]

_FIXED = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
          10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# No real header holds more keys than this, nor keys or strings longer.
_MAX_KEYS = 100_000
_MAX_STRING = 64 << 20


@dataclass(frozen=True)
class MetadataValue:
    """A metadata value and where its bytes are (a string's are after its length)."""

    value: Any
    offset: int
    length: int


class _Truncated(Exception):
    pass


def read_metadata(path: Path, keys: set[str]) -> dict[str, MetadataValue]:
    """The values of ``keys`` (scalars and strings) that the header holds."""
    size = path.stat().st_size
    found: dict[str, MetadataValue] = {}
    with path.open("rb") as handle:
        try:
            if handle.read(4) != b"GGUF":
                return found
            version = _unpack(handle, "<I")
            if version < 2:
                return found
            _unpack(handle, "<Q")  # tensors
            count = _unpack(handle, "<Q")
            for _ in range(min(count, _MAX_KEYS)):
                key = _string(handle, size).decode("utf-8", "replace")
                kind = _unpack(handle, "<I")
                wanted = key in keys
                start = handle.tell()
                value = _value(handle, kind, size, keep=wanted)
                if wanted:
                    length = handle.tell() - start
                    if kind == _STRING:
                        start, length = start + 8, length - 8
                    found[key] = MetadataValue(value, start, length)
                    if len(found) == len(keys):
                        break
        except (_Truncated, struct.error, UnicodeDecodeError):
            pass
    return found


@dataclass(frozen=True)
class GGUFHeader:
    """A GGUF file's scalar and string metadata, and each tensor's shape (llama.cpp's
    order: the innermost dimension first)."""

    metadata: dict[str, Any]
    tensors: dict[str, tuple[int, ...]]

    def text(self, key: str) -> str | None:
        value = self.metadata.get(key)
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else None


def read_header(path: Path) -> GGUFHeader | None:
    """The whole header (every scalar and string key, every tensor's shape), or None
    when the file is not a GGUF file or its header breaks off."""
    size = path.stat().st_size
    metadata: dict[str, Any] = {}
    tensors: dict[str, tuple[int, ...]] = {}
    with path.open("rb") as handle:
        try:
            if handle.read(4) != b"GGUF" or _unpack(handle, "<I") < 2:
                return None
            n_tensors = _unpack(handle, "<Q")
            count = _unpack(handle, "<Q")
            if count > _MAX_KEYS or n_tensors > size:
                return None
            for _ in range(count):
                key = _string(handle, size).decode("utf-8", "replace")
                kind = _unpack(handle, "<I")
                value = _value(handle, kind, size, keep=True)
                if kind != _ARRAY:
                    metadata[key] = value
            for _ in range(n_tensors):
                name = _string(handle, size).decode("utf-8", "replace")
                n_dims = _unpack(handle, "<I")
                if n_dims > 8:
                    return None
                tensors[name] = tuple(_unpack(handle, "<Q") for _ in range(n_dims))
                _unpack(handle, "<I")  # type
                _unpack(handle, "<Q")  # offset
        except (_Truncated, struct.error, UnicodeDecodeError):
            return None
    return GGUFHeader(metadata, tensors)


def trained_context(path: Path) -> int | None:
    """The context length the model was trained with (``<arch>.context_length``)."""
    arch = read_metadata(path, {"general.architecture"}).get("general.architecture")
    if arch is None or not isinstance(arch.value, bytes):
        return None
    key = arch.value.decode("utf-8", "replace") + ".context_length"
    found = read_metadata(path, {key}).get(key)
    if found is None or not isinstance(found.value, int) or found.value < 1:
        return None
    return found.value


def _unpack(handle: IO[bytes], fmt: str) -> Any:
    width = struct.calcsize(fmt)
    raw = handle.read(width)
    if len(raw) != width:
        raise _Truncated
    return struct.unpack(fmt, raw)[0]


def _string(handle: IO[bytes], size: int) -> bytes:
    length = _unpack(handle, "<Q")
    if length > min(_MAX_STRING, size):
        raise _Truncated
    raw = handle.read(length)
    if len(raw) != length:
        raise _Truncated
    return raw


def _value(handle: IO[bytes], kind: int, size: int, *, keep: bool) -> Any:
    if kind in _FIXED:
        return _unpack(handle, _FIXED[kind])
    if kind == _STRING:
        return _string(handle, size)
    if kind == _ARRAY:
        item_kind = _unpack(handle, "<I")
        count = _unpack(handle, "<Q")
        if count > size:
            raise _Truncated
        if item_kind in _FIXED:
            handle.seek(struct.calcsize(_FIXED[item_kind]) * count, 1)
        else:
            for _ in range(count):
                _value(handle, item_kind, size, keep=False)
        return None
    raise _Truncated
