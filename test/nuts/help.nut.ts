import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO } from '../../scripts/support/hosts.js';
import { removeIsolatedHome, runCli } from './runPlugin.js';

/** Every command of the plugin, from the files oclif loads them from, so a new command is counted too. */
const COMMANDS = readdirSync(join(REPO, 'src', 'commands'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, '').split('/'))
  .sort((a, b) => a.join(' ').localeCompare(b.join(' ')));

/** `sf org list --help` is 55 lines and `sf data query --help` 58: a command's full help stays below this. */
const MAX_HELP_LINES = 100;

const lines = (text: string): string[] => text.trimEnd().split('\n');

// What a person sees first: --help on a screen or two (summary, description, examples, flags), the long
// explanations in docs/commands.md. Counted at 80 columns, the width oclif wraps to when stdout is not a terminal.
describe('--help of every command', () => {
  after(removeIsolatedHome);

  it('finds the commands', () => {
    expect(COMMANDS.map((id) => id.join(' '))).to.include.members(['external-client-app usage list', 'external-client-app usage tokens revoke']);
  });

  for (const id of COMMANDS) {
    it(`${id.slice(2).join(' ')}: under ${MAX_HELP_LINES} lines, with its examples, naming only documents that exist @smoke`, async () => {
      const help = await runCli([...id, '--help'], { env: { OCLIF_COLUMNS: '80' } });
      expect(help.code, help.stderr).to.equal(0);
      expect(lines(help.stdout).length, help.stdout).to.be.below(MAX_HELP_LINES);
      for (const section of ['USAGE', 'FLAGS', 'DESCRIPTION', 'EXAMPLES']) expect(lines(help.stdout), section).to.include(section);
      const documents = help.stdout.match(/\b(?:docs\/[\w./-]+\.md|README\.md)\b/g) ?? [];
      expect(documents, 'the help points to the long explanations').not.to.be.empty;
      for (const document of documents) expect(existsSync(join(REPO, document)), document).to.equal(true);
    });
  }

  // sf's -h: the summary, the usage and the flags, never the description, the examples or the flags' long help.
  for (const id of COMMANDS) {
    it(`${id.slice(2).join(' ')} -h: the short help, without description or examples @host-only`, async () => {
      const short = await runCli([...id, '-h'], { env: { OCLIF_COLUMNS: '80' } });
      expect(short.code, short.stderr).to.equal(0);
      expect(lines(short.stdout)).to.include.members(['USAGE', 'FLAGS']);
      for (const section of ['DESCRIPTION', 'EXAMPLES', 'FLAG DESCRIPTIONS']) expect(lines(short.stdout), section).not.to.include(section);
      expect(lines(short.stdout).length, short.stdout).to.be.below(60);
    });
  }
});
