// OpenSSL cipher strings (Postfix tls_*_cipherlist, Dovecot ssl_cipher_list, Apache SSLCipherSuite):
// the daemons hand them to OpenSSL only when they start, so no configuration test reads them. OpenSSL
// refuses a list that matches no cipher at all, and silently drops a name it does not know.
import { opensslTool } from './host-tree.js';
import { runTool } from './run-tool.js';

export interface CipherListCheck {
  /** the list matches no TLS <= 1.2 cipher: the service cannot start TLS */
  error?: string;
  /** elements OpenSSL does not know (ignored by it: usually a typo) */
  unknown: string[];
}

let allNames: Promise<Set<string>> | undefined;
const aliasCache = new Map<string, Promise<boolean>>();

function knownNames(): Promise<Set<string>> {
  allNames ??= runTool(opensslTool, ['ciphers', 'ALL:COMPLEMENTOFALL']).then((r) => new Set(r.stdout.trim().split(':')));
  allNames.catch(() => {
    allNames = undefined;
  });
  return allNames;
}

function matchesSomething(element: string): Promise<boolean> {
  let known = aliasCache.get(element);
  if (!known) {
    known = runTool(opensslTool, ['ciphers', element]).then((r) => r.exitCode === 0);
    aliasCache.set(element, known);
  }
  return known;
}

export async function checkCipherList(list: string): Promise<CipherListCheck> {
  const whole = await runTool(opensslTool, ['ciphers', list]);
  const unknown: string[] = [];
  const names = await knownNames();
  for (const element of list.split(/[:,\s]+/)) {
    if (element === '' || /^[!+\-@]/.test(element)) continue;
    if (names.has(element)) continue;
    if (!(await matchesSomething(element))) unknown.push(element);
  }
  if (whole.exitCode !== 0) {
    const reason = /no cipher match/.test(whole.stderr) ? 'no cipher match' : whole.stderr.trim().split('\n')[0];
    return { error: `OpenSSL accepts no cipher of this list (${reason})`, unknown };
  }
  return { unknown };
}
