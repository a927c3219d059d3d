import { expect } from 'chai';
import { generateState, type EmulatorState } from '../../emulator/model.js';
import { CTRL_C, runOnTerminal, runPlugin, usageRequests, useEmulator } from './runPlugin.js';

/*
 * The confirmation of a revoke is the person's last word: only flags they typed (--no-prompt, --json, --dry-run) skip
 * it, never the environment a shell or a CI job hands down, and Ctrl-C at it stops the run with nothing sent.
 */

const REVOKE = ['external-client-app', 'usage', 'tokens', 'revoke'];
const seed = (): EmulatorState => generateState({ apps: 2, usersPerApp: 4, tokensPerUser: 1, seed: 31 });

describe('the confirmation of a revoke (against the emulator)', () => {
  const { emulator } = useEmulator(seed());
  const tokenIds = (): string[] => emulator.state().tokens.map((token) => token.tokenId);

  it('SF_CONTENT_TYPE=JSON without a terminal refuses, as without it, and sends nothing @smoke', async () => {
    const [tokenId] = tokenIds();
    const run = await runPlugin(emulator, [...REVOKE, '--token-id', tokenId], { env: { SF_CONTENT_TYPE: 'JSON' } });
    expect(run.code, run.stdout).to.equal(1);
    // The environment still makes the output JSON: the error is the JSON envelope.
    expect(run.json?.name).to.equal('NoPromptWithoutTerminalError');
    expect(run.json?.actions?.join(' ')).to.include('--no-prompt');
    expect(usageRequests(emulator)).to.deep.equal([]);
    expect(tokenIds()).to.include(tokenId);
  });

  it('SF_CONTENT_TYPE=JSON on a terminal still asks; "n" sends nothing @smoke', async () => {
    const [tokenId] = tokenIds();
    const no = await runOnTerminal(emulator, [...REVOKE, '--token-id', tokenId], 'n', { env: { SF_CONTENT_TYPE: 'JSON' } });
    expect(no.sawPrompt, no.stdout).to.equal(true);
    expect(no.code, no.stdout).to.equal(0);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(tokenIds()).to.include(tokenId);
  });

  it('--json given on the command line skips the question, with or without a terminal', async () => {
    const [first, second] = tokenIds();
    const run = await runPlugin(emulator, [...REVOKE, '--token-id', first, '--json']);
    expect(run.code, run.stdout).to.equal(0);
    expect(tokenIds()).not.to.include(first);
    const onTerminal = await runOnTerminal(emulator, [...REVOKE, '--token-id', second, '--json'], 'n');
    expect(onTerminal.sawPrompt, onTerminal.stdout).to.equal(false);
    expect(onTerminal.code, onTerminal.stdout).to.equal(0);
    expect(tokenIds()).not.to.include(second);
  });

  it('Ctrl-C at the question exits 130 with one line, and sends nothing @smoke', async () => {
    const [tokenId] = tokenIds();
    const stopped = await runOnTerminal(emulator, [...REVOKE, '--token-id', tokenId], CTRL_C);
    expect(stopped.sawPrompt, stopped.stdout).to.equal(true);
    expect(stopped.code, stopped.stdout).to.equal(130);
    expect(stopped.stdout).to.include('Cancelled: nothing was revoked.');
    expect(stopped.stdout).not.to.match(/force closed|Error \(|ExitPromptError|at .*\.js:\d+/);
    expect(usageRequests(emulator, 'DELETE')).to.deep.equal([]);
    expect(tokenIds()).to.include(tokenId);
  });
});
