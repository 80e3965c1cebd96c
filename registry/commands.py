"""Subcommands beyond lint and fmt; each registers itself into the CLI."""
