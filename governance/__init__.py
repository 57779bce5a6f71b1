"""Governance: who may do what to whom (permissions), privacy rights, encryption keys, the bias audit.

Domain code: it reads and writes through ``storage`` and knows nothing of Slack, Teams or HTTP.
"""
