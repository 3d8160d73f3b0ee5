"""FHIR HealthcareService (ROR offers): read and search. Being written."""
