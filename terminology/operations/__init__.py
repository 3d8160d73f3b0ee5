"""The FHIR terminology operations, each a function of its inputs and a Context."""
