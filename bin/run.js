#!/usr/bin/env node

// eslint-disable-next-line node/shebang
import { readFileSync } from 'node:fs';

/**
 * Why this Node cannot run this line of the plugin, in one line; undefined when it can. It runs before anything else
 * loads: on Node 20, the main line's dependencies crash while they load (undici 8: "TypeError: Cannot read properties
 * of undefined"), after oclif's own warning, in a wall of errors that does not say what to do. The range is the
 * engines of the package.json beside bin/: the main line's, or the Node 20 line's own where scripts/lines.ts puts the
 * same source under that line's manifest.
 */
function wrongNode() {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const range = String(manifest.engines?.node ?? '').trim();
  // Only the ">=X.Y.Z" form that both lines use; any other range is left to oclif's check.
  const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range)?.slice(1).map(Number);
  if (!minimum) return undefined;
  const have = process.versions.node.split('.').map(Number);
  const differs = minimum.findIndex((part, i) => have[i] !== part);
  if (differs === -1 || have[differs] > minimum[differs]) return undefined;
  const version = String(manifest.version);
  const needs = `${manifest.name} ${version} needs Node ${range}, not ${process.version}.`;
  // The Node 20 line's versions end in -node20 (scripts/lines.ts): it has no older line to point to.
  if (version.endsWith('-node20') || have[0] < 20) return needs;
  return (
    `${needs} In this repository, run it on Node 22 with: node scripts/node22.js ./bin/run.js …; ` +
    `with sf on Node 20, install the Node 20 line: sf plugins install ${manifest.name}@node20 (docs/release-lines.md).`
  );
}

async function main() {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}

const refusal = wrongNode();
if (refusal === undefined) await main();
else {
  process.stderr.write(`${refusal}\n`);
  process.exitCode = 1;
}
