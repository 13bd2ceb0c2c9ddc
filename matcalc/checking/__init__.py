"""Checking answers numerically and exactly: random points, directional derivatives, the
verify table, claims, exact arithmetic, and the resources each check may use."""
