"""The subcommands, one module per feature; each registers itself on portcheck.cli.app."""
