"""FHIR Location (ROR locations with their live capacity): read and search. Being written."""
