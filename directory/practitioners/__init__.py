"""RPPS professionals: practitioners (one per person) and their roles (one per activity)."""
