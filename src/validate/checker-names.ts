// The names of the built-in checkers of `provision validate` (src/validate/checkers/index.ts), without
// their code: loading a role checks the names its files give in `check:`, and must not pay for (or
// depend on) the checkers themselves. A test keeps this list and the checkers' names equal.
export const builtinCheckNames: readonly string[] = ['shell', 'apache', 'postfix', 'dovecot', 'openssl'];
