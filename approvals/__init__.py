"""Approvals: typed proposals, the autonomy policy, decisions (exactly once), execution, challenges.

    actions     ActionType, payload models, summary()
    policy      Autonomy (auto | approve | off), DEFAULTS, LOCKED, current(), set_level(), note()
    service     NewProposal, create(), decide(), may_decide(), views()/pending_for(), apply_deadline(), sweep_deadlines()
    execution   Executor / LadderExecutor, TransientError, execute(), execute_pending(), use_executor()
    cards       proposal_card(view, audience) -> Card (pure)
    challenges  open_challenge(), resolve(), open_challenges()
    notify      notify_approvers(), notify_subject()
"""
