"""Search plumbing shared by every resource: text normalisation, parameters, paging."""
