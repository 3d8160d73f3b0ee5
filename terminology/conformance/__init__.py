"""A conformance harness for the HL7 FHIR terminology ecosystem test cases (tx-ecosystem).

The test cases live in HL7/fhir-tx-ecosystem-ig `tests/`: `test-cases.json` lists suites of
tests, each a request `Parameters` and an expected response written as a template. The
reference runner is the Java validator (`txTests`); this package does the same job in Python so
that the suites can run in our own test run:

- `cases`: read a tests folder, select suites and tests, build each request as the Java runner
  does (tx-resources, default parameters, headers, mode variants);
- `convert`: the R5 <-> R4 conversions the Java runner's R4 client applies;
- `matcher`: scrub a response and compare it with its template;
- `runner`: send the requests over HTTP, check the answers, and serve an app in-process.

From the command line: `annuaire tx-tests FOLDER [--server URL] [--suite NAME] [--mode MODE]`.
"""
