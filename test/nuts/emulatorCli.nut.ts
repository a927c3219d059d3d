import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO } from '../../scripts/support/hosts.js';
import { killGroup, run, type RunResult } from '../../scripts/support/process.js';
import { KEYCHAIN_IN_HOME } from '../../scripts/support/savedLogin.js';
import { runner } from './runner.js';
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

/**
 * Starts the emulator with its small seed (`node emulator/cli.ts`, or through `npm run emulator`) and waits for its
 * banner; only an end before the banner fails here. `exited` settles when the run ends, `printed` is its stdout so far
 * and `stderr` its stderr so far.
 */
async function startEmulatorCli(
  command: string,
  args: string[],
  name: string,
  onSpawn: (child: ChildProcess) => void
): Promise<{ exited: Promise<RunResult>; printed: () => string; stderr: () => string }> {
  let printed = '';
  let stderr = '';
  let ready: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const exited = run(command, [...args, '--seed', 'emulator/seeds/small.json'], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '' },
    input: null,
    onSpawn,
    onStdout: (chunk) => {
      printed += chunk;
      if (printed.includes('Press Ctrl+C')) ready();
    },
    onStderr: (chunk) => (stderr += chunk),
  });
  let up = false;
  const endedEarly = exited.then((result) => (up ? undefined : expect.fail(`${name} ended: ${result.stderr}`)));
  await Promise.race([started, endedEarly]);
  up = true;
  return { exited, printed: () => printed, stderr: () => stderr };
}

// `npm run emulator` tells a developer how to point a CLI at it; what it prints must work with the CLI it names.
describe('npm run emulator: the instructions it prints', () => {
  let emulator: ChildProcess | undefined;
  let exited: Promise<RunResult>;
  let printed: () => string;
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'eca-emulator-cli-'));
    const cliArgs = ['--loader', 'ts-node/esm', '--no-warnings=ExperimentalWarning', 'emulator/cli.ts'];
    ({ exited, printed } = await startEmulatorCli(process.execPath, cliArgs, 'the emulator', (child) => (emulator = child)));
  });
  after(async () => {
    if (emulator) killGroup(emulator, 'SIGTERM');
    await exited;
    rmSync(home, { recursive: true, force: true });
  });

  it('prints commands for both runners, and marks the saved-login ones as for the real sf only', () => {
    const all = instructions(printed());
    expect(all.filter((i) => !i.sfOnly).map((i) => i.program)).to.have.members(['sf', './bin/run.js']);
    expect(all.filter((i) => i.sfOnly).map((i) => i.args.slice(0, 3).join(' '))).to.deep.equal([
      'org login access-token',
      'external-client-app usage list',
    ]);
  });

  it('prints commands that work with this runner, and saved-login ones that fail only where it says they would', async () => {
    const cli = await runner();
    for (const instruction of instructions(printed())) {
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

/** The pids of every process below `pid`, read from /proc (Linux): who would outlive it. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read from the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether something still accepts connections on the port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function within(ms: number, condition: () => Promise<boolean> | boolean): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    // eslint-disable-next-line no-await-in-loop
    if (await condition()) return true;
    // eslint-disable-next-line no-await-in-loop
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

// `kill $!` after `npm run emulator &` signals npm alone: the emulator below it must stop too, and free its port.
describe('npm run emulator: stopping npm stops the emulator', () => {
  let npm: ChildProcess | undefined;

  afterEach(() => {
    // Whatever the test found: nothing it started outlives it.
    if (npm) killGroup(npm, 'SIGKILL');
    npm = undefined;
  });

  /**
   * Starts `npm run emulator` and waits for its banner. `npmExited` settles when npm itself ends: the run's own result
   * would wait for every process that holds its output, a leftover emulator included.
   */
  async function startNpm(): Promise<{ npmExited: Promise<unknown>; exited: Promise<RunResult>; below: number[]; port: number }> {
    // The run ends later in every test, once its emulator is gone.
    const { exited, printed } = await startEmulatorCli('npm', ['run', '-s', 'emulator', '--'], 'npm run emulator', (child) => (npm = child));
    const npmExited = once(npm!, 'exit');
    const port = Number(/^EMULATOR_URL=http:\/\/127\.0\.0\.1:(\d+)$/m.exec(printed())?.[1]);
    expect(await listening(port), 'the emulator listens').to.equal(true);
    const below = descendants(npm!.pid!);
    expect(below, 'npm started the emulator').to.not.deep.equal([]);
    return { npmExited, exited, below, port };
  }

  const stops: Array<{ title: string; signal: NodeJS.Signals; ms: number; said: (stderr: string) => void }> = [
    {
      title: 'SIGTERM to npm alone (kill $!): npm exits, the emulator stops, its port is free and no process of it is left @bin-only',
      signal: 'SIGTERM',
      ms: 2000,
      said: (stderr) => expect(stderr).to.include('Received SIGTERM, stopping emulator'),
    },
    {
      title: 'SIGKILL to npm alone, which npm cannot forward: the emulator sees its parent gone and stops too @bin-only',
      signal: 'SIGKILL',
      ms: 5000,
      said: (stderr) => expect(stderr).to.match(/Its parent process \(pid \d+\) ended, stopping emulator/),
    },
  ];
  for (const { title, signal, ms, said } of stops) {
    it(title, async () => {
      const { npmExited, exited, below, port } = await startNpm();
      npm!.kill(signal);
      await npmExited;
      expect(await within(ms, async () => !(await listening(port))), `port ${port} is free`).to.equal(true);
      expect(await within(ms, () => !below.some(alive)), `no process left of ${below.join(', ')}`).to.equal(true);
      // With no process of it left, the run's output closes: all that the emulator wrote has been read. Read before
      // that, a message written just before its port closed could still be in the pipe (seen once on CI, under load).
      said((await exited).stderr);
    });
  }
});
