"""HTTP entry points other than the chat channels (xAPI, SCIM, dashboard)."""
