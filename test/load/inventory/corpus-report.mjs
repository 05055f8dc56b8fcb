// `npm run corpus`: one line per corpus entry: identical, differing (with the first difference) or who
// refuses it (with the error), then the totals. The same comparison as test/load/inventory/corpus.test.ts.
// Run through tsx (the npm script does): node --import tsx test/load/inventory/corpus-report.mjs [NAME...]

import { compareCorpus, describe, loadManifest } from './corpus-compare.ts';

const only = process.argv.slice(2);
const entries = loadManifest().filter((e) => only.length === 0 || only.includes(e.name));
if (entries.length === 0) {
  console.error(`no corpus entry named ${only.join(', ')}`);
  process.exit(1);
}
const { outcomes, done } = compareCorpus(entries);
const width = Math.max(...entries.map((e) => e.name.length));
const totals = new Map();
for (const entry of entries) {
  const outcome = await outcomes.get(entry.name);
  totals.set(outcome.kind, (totals.get(outcome.kind) ?? 0) + 1);
  const expected = entry.ansibleRefuses && outcome.kind === 'ansible refuses' ? ' (kept on purpose)' : entry.known ? ` (known: ${entry.known})` : '';
  console.log(`${entry.name.padEnd(width)}  ${entry.format.padEnd(9)}  ${describe(outcome)}${expected}`);
}
await done;
console.log(`${entries.length} entries: ${[...totals].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
