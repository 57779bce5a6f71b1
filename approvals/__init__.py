"""Approvals: typed proposals, the autonomy policy, decisions (exactly once), execution, challenges.

Modules, each importing only those above it:

    actions     ActionType, payload models, summary()
    states      OPEN, DECIDED_OK, OUTCOME: the state machine's named states
    utc         aware(), when()
    policy      Autonomy (auto | approve | off), DEFAULTS, LOCKED, current(), set_level(), note()
    views       ProposalView, views(), view(), pending_for()
    approvers   who decides: may_decide(), belongs_to(), default_approver_id()
    proposing   NewProposal, write() (the one path proposals take into the database), create()
    overrides   override_payload(), override_hint(), override_choices()
    locks       FairLock, ProcessLocks
    executor    Executor / LadderExecutor, ActionContext, ExecutionError, TransientError
    deps        ApprovalsDeps (db, clock, notifier, settings, executor, locks), ApprovalSettings
    execution   execute(), execute_pending()
    cards       proposal_card(view, audience) -> Card (pure)
    notify      notify_approvers()
    deadlines   apply_deadline(), sweep_deadlines()
    decisions   DecisionResult, why_not(), decide()
    challenges  open_challenge(), resolve(), open_challenges()
    service     the public names of all of the above, in one import
"""
