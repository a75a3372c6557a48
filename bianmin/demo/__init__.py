"""The demo county: the county of the plan, its six towns, villages, departments, windows and staff."""
