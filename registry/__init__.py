"""Rules-as-code registry for the Danish welfare agreements (velfærdsaftaler).

Public API:

    >>> from registry import load, check
    >>> compiled = load()                     # the bundled rules/
    >>> result = check(compiled, municipality="Viborg", date="2022-05-01",
    ...                deviates=["servicelovens § 83, stk. 1, nr. 3"])   # doctest: +SKIP
    >>> result.verdict                        # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["load", "check", "CheckResult", "CheckRequest"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from registry.checker import CheckRequest, CheckResult, check
    from registry.pipeline import load


def __getattr__(name: str) -> Any:  # lazy: `registry check` must start fast
    if name == "load":
        from registry.pipeline import load

        return load
    if name in ("check", "CheckResult", "CheckRequest"):
        from registry import checker

        return getattr(checker, name)
    raise AttributeError(name)
