"""One measured step of the harness, in a process of its own: `ingest FOLDER` or `build`.

Run as `python bench/step.py ingest|build CONFIG [FOLDER]`. Prints one JSON line: what the
step did (articles read, files written) and its peak resident memory: the larger of this
process's VmHWM (which, unlike ru_maxrss, starts afresh with the process and is not inherited
from the parent) and its children's ru_maxrss (see peak_mb). The
harness times the whole process from outside, start-up and imports included, as a user would
see `digest build` take.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path


def peak_mb() -> float:
    """The peak resident memory of this process or of any child it waited for (the reader
    pool, the look-alike search), the larger, in MiB. Linux: VmHWM for this process, and
    ru_maxrss (KiB) for its children. A forked child's figure counts the pages it shares
    with this process, as `ps` would show them."""
    own = float("nan")
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            own = int(line.split()[1]) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)


def main() -> int:
    kind, config = sys.argv[1], Path(sys.argv[2])
    from digest import pipeline
    from digest.config import load_config

    cfg = load_config(config)
    if kind == "ingest":
        # The configured sources (the corpus folder), as `digest build` reads them: so the
        # store remembers each file's fingerprint and the full build that follows reads none.
        assert Path(sys.argv[3]).resolve() in {s.path.resolve() for s in cfg.sources if s.path}
        summary = pipeline.ingest(cfg)
        out: dict[str, object] = {
            "articles": summary.seen,
            "new": summary.new,
            "problems": len(summary.problems),
        }
    elif kind == "build":
        built = pipeline.build(cfg)
        out = {
            "articles": built.articles,
            "written": len(built.written),
            "unchanged": len(built.unchanged),
            "removed": len(built.removed),
            "problems": len(built.problems) + len(built.ingest.problems),
        }
    else:
        raise SystemExit(f"unknown step {kind!r}")
    out["peak_mb"] = round(peak_mb(), 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
