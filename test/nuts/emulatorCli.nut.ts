import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO } from '../../scripts/support/hosts.js';
import { killGroup, run, type RunResult } from '../../scripts/support/process.js';
import { runner } from '../../scripts/support/runner.js';
import { KEYCHAIN_IN_HOME } from '../../scripts/support/savedLogin.js';
import { runCli } from './runPlugin.js';

type Instruction = { line: string; sfOnly: boolean; env: Record<string, string>; program: string; args: string[] };

/** Splits one printed shell line: VAR=value prefixes, the program, then words, with '...' quoting. */
function parseLine(line: string, sfOnly: boolean): Instruction {
  const words = [...line.trim().matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2].replace(/='([^']*)'$/, '=$1'));
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    env[name] = value.join('=');
  }
  const [program, ...args] = words;
  return { line, sfOnly, env, program, args };
}

/** The commands `npm run emulator` prints, and whether it says they need the real sf. */
function instructions(stdout: string): Instruction[] {
  const found: Instruction[] = [];
  let sfOnly = false;
  for (const line of stdout.split('\n')) {
    if (/^\S.*:$/.test(line)) sfOnly = line.includes('real sf only');
    else if (/^ {2}(\S+=\S+ )*(sf|\.\/bin\/run\.js) /.test(line)) found.push(parseLine(line, sfOnly));
  }
  return found;
}

// `npm run emulator` tells a developer how to point a CLI at it; what it prints must work with the CLI it names.
describe('npm run emulator: the instructions it prints', () => {
  let emulator: ChildProcess | undefined;
  let exited: Promise<RunResult>;
  let printed = '';
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'eca-emulator-cli-'));
    let ready: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    exited = run(process.execPath, ['--loader', 'ts-node/esm', '--no-warnings=ExperimentalWarning', 'emulator/cli.ts', '--seed', 'emulator/seeds/small.json'], {
      cwd: REPO,
      env: { ...process.env, NODE_OPTIONS: '' },
      input: null,
      onSpawn: (child) => (emulator = child),
      onStdout: (chunk) => {
        printed += chunk;
        if (printed.includes('Press Ctrl+C')) ready();
      },
    });
    await Promise.race([started, exited.then((result) => expect.fail(`the emulator ended: ${result.stderr}`))]);
  });
  after(async () => {
    if (emulator) killGroup(emulator, 'SIGTERM');
    await exited;
    rmSync(home, { recursive: true, force: true });
  });

  it('prints commands for both runners, and marks the saved-login ones as for the real sf only', () => {
    const all = instructions(printed);
    expect(all.filter((i) => !i.sfOnly).map((i) => i.program)).to.have.members(['sf', './bin/run.js']);
    expect(all.filter((i) => i.sfOnly).map((i) => i.args.slice(0, 3).join(' '))).to.deep.equal([
      'org login access-token',
      'external-client-app usage list',
    ]);
  });

  it('prints commands that work with this runner, and saved-login ones that fail only where it says they would', async () => {
    const cli = await runner();
    for (const instruction of instructions(printed)) {
      // eslint-disable-next-line no-await-in-loop
      const result = await runCli(instruction.args, { env: { ...KEYCHAIN_IN_HOME, ...instruction.env }, home });
      if (instruction.sfOnly && !cli.host) {
        expect(result.code, instruction.line).to.not.equal(0);
        if (instruction.args[0] === 'org') expect(result.stderr, instruction.line).to.match(/not found/);
      } else {
        expect(result.code, `${instruction.line}\n${result.stderr}`).to.equal(0);
        if (instruction.args[0] !== 'org') expect(result.stdout, instruction.line).to.include('Billing_Connector');
      }
    }
  });
});
