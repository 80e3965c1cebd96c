"""The command line: every subcommand is found from the table that lets a command import only its module."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from registry import cli

PROBE = """
import json, sys
from registry import cli
cli._register_all(sys.argv[1:])
parser = cli.build_parser()
sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
print(json.dumps({"choices": sorted(sub.choices),
                  "modules": sorted(m for m in sys.modules if m.startswith("registry."))}))
"""


def _probe(*argv: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_table_lists_every_subcommand() -> None:
    everything = _probe("--help")
    assert everything["choices"] == sorted(cli.COMMAND_HOMES)


@pytest.mark.parametrize("command", sorted(cli.COMMAND_HOMES))
def test_a_command_imports_only_its_own_module(command: str) -> None:
    got = _probe(command, "--some-option")
    assert command in got["choices"]
    home = cli.COMMAND_HOMES[command]
    loaded = {m.removeprefix("registry.") for m in got["modules"]} & set(cli.COMMAND_MODULES)
    assert loaded == ({home} if home else set())


def test_unknown_command_still_suggests_from_all() -> None:
    out = subprocess.run([sys.executable, "-m", "registry", "chek"], capture_output=True, text=True)
    assert out.returncode == 2
    text = out.stdout + out.stderr
    assert all(c in text for c in cli.COMMAND_HOMES), text  # every module was imported, so every command is offered
    assert "Traceback" not in text


def test_warm_check_imports_neither_pyparsing_nor_networkx(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The start-up promise: a canonical citation and a warm cache need neither the grammar nor the graph."""
    env = {**os.environ, "REGISTRY_CACHE_DIR": str(tmp_path)}
    probe = ("import sys\nfrom registry.cli import main\n"
             "code = main(['check', '-m', 'Viborg', '-d', '2022-05-01', '--deviates', 'SEL § 83, stk. 1, nr. 3'])\n"
             "print([m for m in ('pyparsing', 'networkx') if m in sys.modules], code)")
    subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)  # fills
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip().endswith("[] 0"), out.stdout[-500:]
