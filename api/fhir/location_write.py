"""Bed availability writes: PATCH /fhir/Location, and the history of writes. Being written."""
