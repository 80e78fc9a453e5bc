"""Write rendered files atomically and only when their content changed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OutputError


@dataclass
class WriteSummary:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def write_files(out: Path, files: Mapping[str, bytes]) -> WriteSummary:
    """Write each relative path's bytes below `out` (temp file + rename); skip unchanged ones.

    Everything is rendered before this is called, so a render error writes nothing.
    """
    summary = WriteSummary()
    try:
        out.mkdir(parents=True, exist_ok=True)
        for rel in sorted(files):
            data = files[rel]
            target = out / rel
            if target.is_file() and target.read_bytes() == data:
                summary.unchanged.append(rel)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            summary.written.append(rel)
    except OSError as exc:
        raise OutputError(
            f"cannot write to {out}: {exc.strerror or exc}",
            "choose another folder with --out or fix its permissions",
        ) from None
    return summary
