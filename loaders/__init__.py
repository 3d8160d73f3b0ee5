"""Source parsers, the shared load pipeline, run records, generators."""
