import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './hosts.js';

/**
 * Why lib/ must be (re)built, or undefined when the output of every source is newer than src/ and messages/: the demo
 * builds then, the bench (which measures lib/) warns.
 */
export function buildReason(): string | undefined {
  const files = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir, { recursive: true }).map((f) => join(dir, String(f))).filter((f) => statSync(f).isFile()) : [];
  const sources = files(join(REPO, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  // Only the files tsc writes for our sources: a stray old file in lib/ (from a deleted source) doesn't count.
  const outputs = sources.map((f) => join(REPO, 'lib', relative(join(REPO, 'src'), f)).replace(/\.ts$/, '.js'));
  const missing = outputs.find((f) => !existsSync(f));
  if (missing) return `${relative(REPO, missing)} is missing`;
  const oldest = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const newer = [...sources, ...files(join(REPO, 'messages'))].find((f) => statSync(f).mtimeMs > oldest);
  return newer ? `${relative(REPO, newer)} is newer than lib/` : undefined;
}
