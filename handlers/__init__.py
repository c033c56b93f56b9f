"""Platform-neutral command handlers: one module per family, one table of every command."""
