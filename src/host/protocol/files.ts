// Files provision keeps on a host (never under a --root tree), written by the apply script and read
// back by the probe: the contract between shell/apply.sh, shell/probe.sh and the plan.

/** The handlers an apply promised and has not run yet, one name a line (apply.sh promise_handlers). */
export const pendingHandlersFile = '/var/lib/provision/pending-handlers';
/** The accounts provision created on the host, one name a line (apply.sh ensure_user writes it). */
export const createdAccountsFile = '/var/lib/provision/accounts';
