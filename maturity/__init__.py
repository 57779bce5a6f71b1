"""Where the organisation sits on the maturity ladder: what Ladder can see, plus a short questionnaire."""
