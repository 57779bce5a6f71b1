"""The internal talent marketplace: opportunities posted in plain words, matched to people on skills (never tenure,
demographics or who you know), interest, blind shortlists and staffing through the approval workflow."""
