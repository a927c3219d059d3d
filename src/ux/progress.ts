import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { InventoryProgress } from '../usage/inventory.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'progress');

export type ProgressReporter = {
  /** The status is made only when it is shown: an inventory reports progress once per request. */
  update(status: () => string): void;
  stop(): void;
};

/** Seconds between progress lines when stderr is not a terminal (CI logs), so a long run doesn't flood the log. */
const LOG_INTERVAL_MS = 2000;

/**
 * Progress of a long run, on stderr only and never under --json: a spinner on a terminal, and an occasional plain line
 * otherwise (the spinner's inline updates would pile up on one line in a CI log).
 */
export function startProgress(command: SfCommand<unknown>, title: string, interactive = Boolean(process.stderr.isTTY)): ProgressReporter {
  if (command.jsonEnabled()) return { update: (): void => undefined, stop: (): void => undefined };
  if (interactive) {
    const { spinner } = command;
    spinner.start(title);
    return {
      update: (status): void => {
        spinner.status = status();
      },
      stop: (): void => spinner.stop(),
    };
  }
  // Quick runs print nothing; a long one prints a line every LOG_INTERVAL_MS and its final state.
  let lastLine = Date.now();
  let printed = false;
  let pending: (() => string) | undefined;
  const write = (status: () => string): void => {
    process.stderr.write(`${title}: ${status()}\n`);
    lastLine = Date.now();
    printed = true;
    pending = undefined;
  };
  return {
    update: (status): void => {
      pending = status;
      if (Date.now() - lastLine >= LOG_INTERVAL_MS) write(status);
    },
    stop: (): void => {
      if (pending !== undefined && printed) write(pending);
    },
  };
}

/** Progress of reading the apps, their users and the users' tokens: an inventory, or the reading phase of a revoke. */
export function startInventoryProgress(command: SfCommand<unknown>): { onProgress: (progress: InventoryProgress) => void; stop: () => void } {
  const progress = startProgress(command, messages.getMessage('inventory.title'));
  return {
    onProgress: ({ stage, done, total }): void =>
      progress.update(() => messages.getMessage(stage === 'apps' ? 'inventory.apps' : 'inventory.users', [done, total])),
    stop: (): void => progress.stop(),
  };
}
