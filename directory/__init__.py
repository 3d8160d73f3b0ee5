"""The RPPS, FINESS and ROR domain: tables, queries, search and FHIR mapping."""
