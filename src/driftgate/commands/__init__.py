"""Subcommands built over the pipeline's stages, one module per command."""
