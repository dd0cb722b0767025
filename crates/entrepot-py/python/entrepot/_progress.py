"""Progress of the long calls (``progress=`` of ``fepois``, ``feols``, ``ge``,
``scenario`` and ``Store.ingest``).

The engine reports ``(stage, done, total)`` (``total`` is ``None`` when unknown, as for
a fit's iterations) to a callback on the calling thread, at most about ten times a
second, while the computation runs with the GIL released. ``progress=`` chooses the
callback:

* ``None`` (default): a bar in a Jupyter notebook, nothing elsewhere (scripts, tests);
* ``True``: a bar; ``False``: nothing;
* a callable ``f(stage, done, total)``: called with every report.

The bar is ``tqdm.auto``'s when tqdm is installed (a widget in a notebook), otherwise
one line on stderr rewritten in place.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional

Callback = Callable[[str, int, Optional[int]], None]


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython's ZMQ shell)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - IPython without a shell
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class Bar:
    """A progress display: one ``tqdm.auto`` bar per stage when tqdm is importable,
    else a line on stderr. Call it with ``(stage, done, total)``; ``close()`` at the
    end."""

    def __init__(self) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        self._tqdm = tqdm
        self._bar: Any = None
        self._stage: Optional[str] = None
        self._line = False

    def __call__(self, stage: str, done: int, total: Optional[int]) -> None:
        if self._tqdm is not None:
            if stage != self._stage:
                self.close()
                self._bar = self._tqdm(total=total, desc=stage, leave=False)
            self._bar.n = done
            self._bar.refresh()
        else:
            of = f"/{total}" if total is not None else ""
            sys.stderr.write(f"\r{stage}: {done}{of}   ")
            sys.stderr.flush()
            self._line = True
        self._stage = stage

    def close(self) -> None:
        """Closes the current bar (or ends the stderr line)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._line:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._line = False
        self._stage = None


def callback(progress: Any) -> Optional[Callback]:
    """The callback ``progress=`` asks for (see the module docstring), or ``None``."""
    if progress is None:
        progress = in_notebook()
    if progress is True:
        return Bar()
    if progress is False:
        return None
    if callable(progress):
        return progress
    raise TypeError(
        f"progress must be None, True, False or a callable(stage, done, total), got {progress!r}"
    )
