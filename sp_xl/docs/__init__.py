"""Documentation generated from the function registry (the README reference, the CLI listing)."""
