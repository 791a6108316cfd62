"""The subcommands that sit on top of the pipeline: each module parses its own flags,
calls the stages below it and maps the outcome to an exit code. Nothing below imports these.

A module's docstring is its `--help`: the first line is the one-line help `driftgate --help`
lists, the rest the description.
"""
