"""Alembic environment: runs migrations on the connection the CLI hands over."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=True)
with context.begin_transaction():
    # Two processes starting at once must not both migrate.
    context.execute("SELECT pg_advisory_xact_lock(7240001)")
    # Index builds on full tables outlast the read time limit every connection carries.
    context.execute("SET LOCAL statement_timeout = 0")
    context.run_migrations()
