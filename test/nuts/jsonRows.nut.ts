import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateState } from '../../emulator/model.js';
import type { OutputFileResult } from '../../src/command/usageCommand.js';
import { run } from '../../scripts/support/process.js';
import { runner } from './runner.js';
import { isolatedHome, runPlugin, useEmulator, type CliResult } from './runPlugin.js';

/*
 * Issue 25, item 8: `-r json` on the list commands, as `sf data query -r json` has it: the rows alone, on stdout, as
 * the JSON array an --output-file JSON holds, so that a pipe (`| jq`) gets JSON and nothing else. --json keeps its
 * envelope.
 */

const USAGE = ['external-client-app', 'usage'];
const APP = 'App_1';
/** Each list command, with arguments that give it rows. */
const COMMANDS: Array<{ name: string; args: string[] }> = [
  { name: 'usage list', args: [...USAGE, 'list'] },
  { name: 'users list', args: [...USAGE, 'users', 'list', '--app', APP] },
  { name: 'tokens list', args: [...USAGE, 'tokens', 'list'] },
];

/** stdout that is one JSON array and nothing else: no table, no summary line, no warning. */
function rowsOnly(result: CliResult): unknown[] {
  expect(result.code, result.stderr).to.equal(0);
  expect(result.stdout, result.stdout).to.match(/^\[/).and.match(/\]\n$/);
  const rows: unknown = JSON.parse(result.stdout);
  expect(rows).to.be.an('array');
  return rows as unknown[];
}

describe('-r json: the rows alone on stdout, as the --output-file JSON (against the emulator)', () => {
  const seed = generateState({ apps: 3, usersPerApp: 4, tokensPerUser: 2, seed: 5 });
  const { emulator, scratch } = useEmulator({ ...seed, apps: seed.apps.map((app, n) => ({ ...app, developerName: `App_${n + 1}` })) });

  for (const { name, args } of COMMANDS) {
    it(`${name} -r json prints byte for byte what --output-file writes, the rows --json returns`, async () => {
      const printed = await runPlugin(emulator, [...args, '-r', 'json']);
      const rows = rowsOnly(printed);
      expect(rows).to.not.be.empty;
      // The org is reached over http:, so sf warns: on stderr, never in the JSON on stdout.
      expect(printed.stderr).to.include('insecure protocol');

      const file = scratch(`${name.replace(' ', '-')}.json`);
      const written = await runPlugin(emulator, [...args, '--output-file', file]);
      expect(written.code, written.stderr).to.equal(0);
      expect(printed.stdout).to.equal(readFileSync(file, 'utf8'));

      const json = await runPlugin<unknown[]>(emulator, [...args, '--json']);
      expect(rows).to.deep.equal(json.json?.result);
    });
  }

  it('prints an empty array when nothing matches, and no "no token matches" line', async () => {
    const result = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--last-used-after', '2099-01-01', '-r', 'json']);
    expect(rowsOnly(result)).to.deep.equal([]);
    expect(result.stdout).to.equal('[]\n');
  });

  it('prints only the rows when --limit stops the list: the line that says so is for the table', async () => {
    const result = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--limit', '3', '-r', 'json']);
    expect(rowsOnly(result)).to.have.length(3);
  });

  it('pipes into another program as JSON', async () => {
    // Through a shell pipe, as `| jq length` would be: the reader gets the whole array and nothing else.
    const cli = await runner();
    const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;
    const command = cli.argv([...USAGE, 'users', 'list', '--app', APP, '-r', 'json', '--target-org', emulator.accessToken]).map(quote).join(' ');
    const reader = `${quote(process.execPath)} -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>console.log(JSON.parse(s).map((u)=>u.userIdentifier).sort().join(",")))'`;
    const result = await run('sh', ['-c', `${command} | ${reader}`], {
      env: cli.env(isolatedHome(), { SF_ORG_INSTANCE_URL: emulator.url }),
      cwd: isolatedHome(),
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).to.equal(0);
    const app = emulator.state().apps.find((candidate) => candidate.developerName === APP)!;
    const users = new Set(emulator.state().tokens.filter((t) => t.appIdentifier === app.identifier).map((t) => t.userIdentifier));
    expect(result.stdout.trim()).to.equal([...users].sort().join(','));
  });

  it('with --json keeps the envelope, and the rows are its result', async () => {
    const result = await runPlugin<unknown[]>(emulator, [...USAGE, 'list', '-r', 'json', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json?.status).to.equal(0);
    expect(result.json?.result).to.have.length(3);
  });

  it('with --output-file writes JSON, whatever the file name ends in, and stdout says where', async () => {
    const file = scratch('apps.csv');
    const result = await runPlugin<OutputFileResult>(emulator, [...USAGE, 'list', '-r', 'json', '--output-file', file, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.json?.result).to.deep.equal({ outputFile: file, format: 'json', rows: 3 });
    const human = await runPlugin(emulator, [...USAGE, 'list', '-r', 'json', '--output-file', scratch('apps.json')]);
    expect(human.stdout).to.match(/^Wrote 3 external client apps to .*apps\.json\.\n$/);
    expect(JSON.parse(readFileSync(scratch('apps.json'), 'utf8'))).to.deep.equal(JSON.parse(readFileSync(file, 'utf8')));
  });
});
