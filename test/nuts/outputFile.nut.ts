import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateState } from '../../emulator/model.js';
import { parseCsv, toCsv } from '../../src/common/csv.js';
import type { OutputFileResult } from '../../src/command/usageCommand.js';
import { runPlugin, signalWhen, usageRequests, useEmulator } from './runPlugin.js';

const USAGE = ['external-client-app', 'usage'];
const OLD = 'an older inventory, which a failed run must leave as it was\n';

describe('--output-file on the list commands (against the emulator)', () => {
  /** 3 apps x 80 users x 2 tokens: about 170 KB of rows, so a run writes to its temporary file several times. */
  const { emulator, scratch } = useEmulator(generateState({ apps: 3, usersPerApp: 80, tokensPerUser: 2, seed: 13 }));
  const tokenLists = (): string[] => usageRequests(emulator, 'GET').filter((line) => /\/tokens(\?|$)/.test(line));
  const folderOf = (name: string): string => {
    const folder = scratch(name);
    mkdirSync(folder);
    return folder;
  };

  it('writes the rows and the CSV header of stdout, in the same order, as CSV or as the JSON array of --json @smoke', async () => {
    const app = emulator.state().apps[1].developerName;
    const commands: Array<{ name: string; args: string[]; noun: RegExp }> = [
      { name: 'usage list', args: [...USAGE, 'list', '--user-counts', '--limit', '2'], noun: /^Wrote 2 external client apps to .* \(stopped at --limit 2\)\.$/ },
      { name: 'users list', args: [...USAGE, 'users', 'list', '--app', app, '--unused-days', '90', '--page-size', '7'], noun: /^Wrote \d+ users? to / },
      { name: 'tokens list', args: [...USAGE, 'tokens', 'list', '--unused-days', '90'], noun: /^Wrote \d+ refresh tokens? to / },
    ];
    for (const command of commands) {
      const folder = folderOf(command.name.replace(' ', '-'));
      const csvFile = join(folder, 'rows.csv');
      const jsonFile = join(folder, 'rows.json');
      // One after the other, to spare the machine; the runs of a command read the same, unchanging data.
      /* eslint-disable no-await-in-loop */
      const stdout = await runPlugin(emulator, [...command.args, '-r', 'csv']);
      const csvRun = await runPlugin<OutputFileResult>(emulator, [...command.args, '--output-file', csvFile, '--json']);
      const jsonRun = await runPlugin(emulator, [...command.args, '--output-file', jsonFile]);
      /* eslint-enable no-await-in-loop */
      for (const run of [stdout, csvRun, jsonRun]) expect(run.code, `${command.name}: ${run.stderr}`).to.equal(0);
      const rows = parseCsv(stdout.stdout);
      expect(rows.length, command.name).to.be.greaterThan(1);
      expect(readFileSync(csvFile, 'utf8'), command.name).to.equal(stdout.stdout);
      expect(csvRun.json!.result, command.name).to.deep.equal({ outputFile: csvFile, format: 'csv', rows: rows.length });
      // The JSON file holds every field of the rows (the CSV only the documented ones): the same rows, in the same order.
      const header = stdout.stdout.slice(0, stdout.stdout.indexOf('\r\n')).split(',');
      expect(toCsv(JSON.parse(readFileSync(jsonFile, 'utf8')) as Array<Record<string, unknown>>, header), command.name).to.equal(stdout.stdout);
      expect(jsonRun.stdout.trim().split('\n'), command.name).to.have.length(1);
      expect(jsonRun.stdout.trim(), command.name).to.match(command.noun).and.include(jsonFile);
      expect(readdirSync(folder).sort(), command.name).to.deep.equal(['rows.csv', 'rows.json']);
    }
  });

  it('leaves an old file as it was, and no temporary file, when the run fails mid-inventory or is interrupted', async () => {
    const folder = folderOf('failed');
    const file = join(folder, 'tokens.csv');
    writeFileSync(file, OLD);
    // The token list of a user of the last app fails (500 is not retried): rows of the apps before it are written by then.
    const state = emulator.state();
    const lastApp = state.apps[state.apps.length - 1].identifier;
    const victim = state.tokens.find((token) => token.appIdentifier === lastApp)!.userIdentifier;
    emulator.addFaults([{ path: `/${lastApp}/${victim}/tokens\\?`, action: { type: 'status', status: 500 } }]);
    const failed = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--output-file', file, '--json']);
    expect(failed.code, failed.stderr).to.equal(1);
    expect(failed.json?.name).to.equal('ServerError');
    expect(tokenLists().length).to.be.greaterThan(100);
    expect(readFileSync(file, 'utf8')).to.equal(OLD);
    expect(readdirSync(folder)).to.deep.equal(['tokens.csv']);

    emulator.clearLog();
    emulator.setLatency(100);
    let sawTemporaryFile = false;
    try {
      const interrupt = signalWhen(() => {
        sawTemporaryFile ||= readdirSync(folder).some((name) => name.endsWith('.tmp'));
        return tokenLists().length >= 5;
      });
      const interrupted = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--output-file', file, '--concurrency', '2'], { onSpawn: interrupt.onSpawn });
      expect(interrupt.sent()).to.equal(true);
      expect(interrupted.code, interrupted.stderr).to.equal(130);
    } finally {
      emulator.setLatency(0);
      // A request the interrupted run left in flight is logged when its delayed answer goes out: not in the next test.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(sawTemporaryFile).to.equal(true);
    expect(readFileSync(file, 'utf8')).to.equal(OLD);
    expect(readdirSync(folder)).to.deep.equal(['tokens.csv']);
  });

  it('replaces a symlink planted at the output file with a file of mode 0600, leaving the file it pointed to as it was', async () => {
    const folder = folderOf('planted');
    const victim = scratch('victim.txt');
    writeFileSync(victim, OLD, { mode: 0o644 });
    const file = join(folder, 'tokens.csv');
    symlinkSync(victim, file);
    const run = await runPlugin<OutputFileResult>(emulator, [...USAGE, 'tokens', 'list', '--output-file', file, '--json']);
    expect(run.code, run.stderr).to.equal(0);
    expect(readFileSync(victim, 'utf8')).to.equal(OLD);
    expect(lstatSync(victim).mode & 0o777).to.equal(0o644);
    expect(lstatSync(file).isFile()).to.equal(true);
    expect(lstatSync(file).mode & 0o777).to.equal(0o600);
    expect(parseCsv(readFileSync(file, 'utf8'))).to.have.length(run.json!.result.rows);
    expect(readdirSync(folder)).to.deep.equal(['tokens.csv']);
  });

  it('refuses a folder that does not exist, or a folder as the file, before any usage request', async () => {
    const missing = await runPlugin(emulator, [...USAGE, 'tokens', 'list', '--output-file', scratch('no-such-folder', 'tokens.csv'), '--json']);
    expect(missing.code).to.equal(1);
    expect(missing.json?.name).to.equal('NoOutputFolderError');
    expect(missing.json?.message).to.include(scratch('no-such-folder'));
    const folder = await runPlugin(emulator, [...USAGE, 'users', 'list', '--app', emulator.state().apps[0].developerName, '--output-file', scratch(), '--json']);
    expect(folder.code).to.equal(1);
    expect(folder.json?.name).to.equal('OutputIsFolderError');
    expect(usageRequests(emulator)).to.deep.equal([]);
  });
});
