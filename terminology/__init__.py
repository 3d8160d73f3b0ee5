"""Code systems, value sets, concept maps and terminology operations (to come)."""
