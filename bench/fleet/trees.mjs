// Correctness check of the fleet benchmark: after each tool's first run, every host's tree must hold
// the same entries (type, mode, link target) and the same content for every file except private keys,
// CSRs and the self-signed placeholder certificates, which are random by nature (each is signed by its key).
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

const randomByNature = /\.(key|csr)$|^(signed\.crt|fullchain\.pem)$/;

/** One line per entry under `dir`, sorted: `path type mode [sha256 | -> target]`. */
export function treeManifest(dir, prefix = '') {
  const lines = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = join(prefix, name);
    const stat = lstatSync(join(dir, rel));
    const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0');
    if (stat.isSymbolicLink()) lines.push(`${rel} link -> ${readlinkSync(join(dir, rel))}`);
    else if (stat.isDirectory()) lines.push(`${rel} dir ${mode}`, ...treeManifest(dir, rel));
    else if (randomByNature.test(name)) lines.push(`${rel} file ${mode} (random content)`);
    else
      lines.push(
        `${rel} file ${mode} ${createHash('sha256')
          .update(readFileSync(join(dir, rel)))
          .digest('hex')}`,
      );
  }
  return lines;
}

/** Differences between the two tools' trees of every host, as readable lines (empty: identical). */
export function compareTrees(hostNames, leftRoot, rightRoot, [leftName, rightName]) {
  const problems = [];
  for (const host of hostNames) {
    const left = new Set(treeManifest(join(leftRoot, host)));
    const right = new Set(treeManifest(join(rightRoot, host)));
    for (const line of left) if (!right.has(line)) problems.push(`${host}: only ${leftName}: ${line}`);
    for (const line of right) if (!left.has(line)) problems.push(`${host}: only ${rightName}: ${line}`);
  }
  return problems;
}
