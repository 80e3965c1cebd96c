"""No input ever produces a traceback: binary, empty, huge, wrongly encoded, odd paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from registry.cli import main
from registry.pipeline import load


def _lint(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["lint", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("binary.rule", b"\x00\x01\x02law SEL", "P100"),
        ("latin1.rule", 'law SEL "Lov om social service æøå"\n'.encode("latin-1"), "P100"),
        ("huge.rule", b"law SEL \"" + b"x" * 10_500_000 + b"\"\n", "P108"),
        ("garbage.rule", "§§§ \"\"\" ### \t\t stk. nr.\n  \x0b\x0c\n".encode(), "P102"),
    ],
)
def test_bad_files_give_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes,
                                    code: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    status, out = _lint(f, capsys)
    assert status == 3
    assert f"[{code}]" in out
    assert "Traceback" not in out


def test_empty_file_is_a_warning_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "empty.rule"
    f.write_text("")
    status, out = _lint(f, capsys)
    assert status == 0
    assert "[P110]" in out


def test_missing_path_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _lint(tmp_path / "nope", capsys)
    assert status == 2
    assert "[C405]" in out


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    f = tmp_path / "win.rule"
    f.write_bytes('\ufeffarea aeldre "Ældreområdet"\r\n  source "https://x.dk"\r\n'.encode())
    compiled = load([str(f)], use_cache=False)
    assert compiled.ok
    assert compiled.rules.areas[0].source == "https://x.dk"


def test_cli_process_never_prints_traceback(tmp_path: Path) -> None:
    f = tmp_path / "x.rule"
    f.write_bytes(b"\xff\xfe\x00garbage")
    for args in (["lint", str(f)], ["fmt", str(f)], ["check", "-m", "Viborg", "--date", "2022-13-45"],
                 ["check", "-m", "Atlantis"], ["check", "-m", "Viborg", "--deviates", "§§§"],
                 ["check"], ["nosuchcommand"], ["check", "-m", "Viborg", "--rules", str(tmp_path / "none")]):
        r = subprocess.run([sys.executable, "-m", "registry", *args], capture_output=True, text=True, timeout=120)
        assert "Traceback" not in r.stderr + r.stdout, args
        assert r.returncode in (2, 3), (args, r.returncode, r.stderr)
