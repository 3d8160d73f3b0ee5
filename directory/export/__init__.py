"""FHIR Bulk Data export of the directory resources: full and delta extracts in NDJSON.

Nothing is written to disk and nothing runs in the background. A kick-off records a job: the
request, its transactionTime and, per resource type, the id ranges that split the matching
rows into parts of a bounded size, found in the indexes alone. Each part is then downloaded
from its own URL, streamed from PostgreSQL in id order with a server-side cursor, so that
every download is short and several can run at once.
"""
