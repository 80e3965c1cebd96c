"""The compiled-rules cache: a warm load answers exactly as a cold one, and a damaged cache is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.checker import check
from registry.pipeline import cache_dir, load

RULES = Path(__file__).parent / "fixtures" / "mini"
QUESTIONS = [("Viborg", "2022-05-01", ["SEL § 83"]), ("Middelfart", "2022-05-01", ["SEL § 79 a", "VAAE § 9"]),
             ("791", "2030-01-01", ["servicelovens § 91"]), ("Aarhus", "2022-05-01", [])]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGISTRY_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _answers(compiled) -> list[str]:  # noqa: ANN001
    return [check(compiled, municipality=m, date=d, deviates=dv).model_dump_json() for m, d, dv in QUESTIONS]


def test_warm_load_answers_as_cold(cache: Path) -> None:
    cold = load([str(RULES)], use_cache=False)
    load([str(RULES)])  # writes the cache
    files = list(cache.glob("*.compiled"))
    assert len(files) == 1
    warm = load([str(RULES)])
    assert warm._store is not None  # really from the cache
    assert _answers(warm) == _answers(cold)
    assert warm.digest == cold.digest and warm.diagnostics == cold.diagnostics
    assert warm.rules == cold.rules and warm.fences == cold.fences


def test_partial_run_through_validate(cache: Path) -> None:
    """The stages up to validate give the same model, without graph results or digest, and are not cached."""
    part = load([str(RULES)], through="validate")
    full = load([str(RULES)], use_cache=False)
    assert part.rules == full.rules and part.ok
    assert part.fences == {} and part.digest == "" and full.fences and full.digest
    assert not list(cache.glob("*.compiled"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_damaged_cache_is_rebuilt(cache: Path, damage: str) -> None:
    cold = load([str(RULES)], use_cache=False)
    load([str(RULES)])
    (f,) = cache_dir().glob("*.compiled")
    data = f.read_bytes()
    f.write_bytes({"garbage": b"not a cache" * 100, "truncated": data[: len(data) - 10], "empty": b""}[damage])
    again = load([str(RULES)])
    assert again._store is None  # compiled anew, not read from the damaged file
    assert _answers(again) == _answers(cold)
    assert load([str(RULES)])._store is not None  # and the cache is whole again
