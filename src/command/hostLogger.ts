import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Logger } from '@salesforce/core';

/** What this module needs of another copy of @salesforce/core's Logger: its public root and raw (pino) logger. */
type HostLoggerClass = { getRoot(): { getRawLogger(): unknown } };
/** Our pinned core keeps its root in a private static; its constructor derives children from `rootLogger.pinoLogger`. */
type RootSlot = { rootLogger?: unknown };

/** Names the records our copy of core logs on its root (its children name themselves), inside sf's log file. */
export const PLUGIN_ROOT_LOGGER_NAME = 'plugin-external-client-app';

/**
 * Inside sf, sends the log records of this plugin's own copy of @salesforce/core through sf's root logger instead of a
 * root logger of its own. Each copy of core starts its root logger with a worker thread that writes the log file; sf
 * has started one before any command runs, and a second one costs a few hundred milliseconds of CPU to boot plus the
 * wait at exit while it drains (about a tenth of a short command). The records still reach the same file, through
 * sf's own redaction, at sf's level.
 *
 * `cliScript` is the running CLI's script (`process.argv[1]`: sf's bin/run.js), from which sf's core is resolved.
 * Nothing changes when it resolves our own core (the plugin's own bin/run.js, tests), when sf has not loaded its core's
 * logger, when ours already has a root, or when anything looks other than expected: then core starts its own, as it
 * would have. Returns whether it now shares sf's.
 */
export function shareHostLogger(cliScript: string | undefined, ours: unknown = Logger): boolean {
  const slot = ours as RootSlot;
  // A core that keeps its root elsewhere (the field renamed or made truly private) is left to start its own root.
  if (!Object.hasOwn(slot, 'rootLogger') || slot.rootLogger !== undefined || !cliScript) return false;
  let host: HostLoggerClass | undefined;
  try {
    const requireFromCli = createRequire(realpathSync(cliScript));
    // Only a copy sf has loaded already: loading one here would cost what this saves.
    const loaded = requireFromCli.cache[requireFromCli.resolve('@salesforce/core/logger')];
    host = (loaded?.exports as { Logger?: HostLoggerClass } | undefined)?.Logger;
  } catch {
    return false;
  }
  if (host === undefined || host === ours || typeof host.getRoot !== 'function') return false;
  try {
    const pinoLogger = host.getRoot().getRawLogger() as { child?: unknown } | undefined;
    if (typeof pinoLogger?.child !== 'function') return false;
    // The constructor makes a child of whatever root is set, so a stand-in holding sf's pino logger yields our root.
    slot.rootLogger = { pinoLogger };
    slot.rootLogger = new (ours as typeof Logger)({ name: PLUGIN_ROOT_LOGGER_NAME });
    return true;
  } catch {
    slot.rootLogger = undefined;
    return false;
  }
}
