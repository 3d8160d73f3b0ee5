"""Who may write: API keys, their scopes and the establishments they name."""
