"""The GitHub Action: the only code that reads GITHUB_* / INPUT_* and builds real clients."""
