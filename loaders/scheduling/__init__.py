"""Scheduled ingestion: the sources file, fetching, the run of one source, the scheduler."""
