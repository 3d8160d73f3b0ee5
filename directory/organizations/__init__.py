"""FINESS legal entities (EJ) and geographic establishments (EG)."""
