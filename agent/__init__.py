"""Ladder's agent: signals -> proposals within the policy (`agent.run.run_pass`), and its scheduler for `serve`."""
