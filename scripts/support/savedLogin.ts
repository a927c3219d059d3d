import type { Emulator } from '../../emulator/server.js';
import { REPO } from './hosts.js';
import { run, sfEnv } from './process.js';

/** Keeps sf's encryption key in HOME (~/.sf/key.json), never in the desktop keyring of the person running the tests. */
export const KEYCHAIN_IN_HOME = { SF_USE_GENERIC_UNIX_KEYCHAIN: 'true' };

// Through @salesforce/core itself, as `sf org login web` saves a login: the refresh token is exchanged at the
// emulator's token endpoint, then the access token is replaced with the one given.
const SAVE_LOGIN = `
import { AuthInfo } from '@salesforce/core';
const { loginUrl, refreshToken, alias, accessToken } = JSON.parse(process.env.ECA_SAVED_LOGIN);
const auth = await AuthInfo.create({ oauth2Options: { loginUrl, refreshToken } });
auth.update({ accessToken });
await auth.save();
await auth.setAlias(alias);
`;

/**
 * Saves a refresh-token login to the emulator under `alias` in `home`, as `sf org login web` would. It works the same
 * for every runner: the auth files are @salesforce/core 8's, which the plugin reads inside any sf host too.
 * `expired`: its access token is one the emulator never accepts, so the next command must refresh it first.
 */
export async function saveLogin(emulator: Emulator, home: string, alias: string, { expired }: { expired: boolean }): Promise<void> {
  const accessToken = expired ? '00D000000000001AAA!expired' : emulator.accessToken;
  const login = { loginUrl: emulator.url, refreshToken: emulator.refreshToken, alias, accessToken };
  const result = await run(process.execPath, ['--input-type=module', '-e', SAVE_LOGIN], {
    cwd: REPO,
    env: sfEnv(home, { ...KEYCHAIN_IN_HOME, ECA_SAVED_LOGIN: JSON.stringify(login) }),
    timeoutMs: 60_000,
  });
  if (result.code !== 0) throw new Error(`saving the login failed: ${result.stderr}`);
}

/** A saved login whose access token has expired (see saveLogin). */
export const saveExpiredLogin = (emulator: Emulator, home: string, alias: string): Promise<void> => saveLogin(emulator, home, alias, { expired: true });
