// The names of the built-in checkers of `provision validate` (src/validate/checkers/index.ts), without
// their code: the load stage checks the names role files give in `check:`, and must not depend on the
// checkers themselves (a later stage). A test keeps this list and the checkers' names equal; it is the
// one file outside the checkers that names the programs they check.
export const builtinCheckNames: readonly string[] = ['shell', 'apache', 'postfix', 'dovecot', 'openssl'];
