"""Foundation shared by every package: settings, database access, migrations."""
