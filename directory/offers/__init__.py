"""ROR care offers: healthcare services, the locations where they are given, and the live
capacity (beds and places) of those locations."""
