import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import './pluginMessages.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'report');

/**
 * The absolute path of an output file, checked before any request is sent: a run that reads a large org must not
 * fail at the very end because the folder it writes to doesn't exist.
 */
export async function checkedOutputPath(path: string): Promise<string> {
  const absolute = resolve(path);
  const folder = await stat(dirname(absolute)).catch(() => undefined);
  if (!folder?.isDirectory()) throw messages.createError('error.NoOutputFolder', [dirname(absolute)]);
  if ((await stat(absolute).catch(() => undefined))?.isDirectory()) throw messages.createError('error.OutputIsFolder', [absolute]);
  return absolute;
}

/** Writes beside the target, then renames: a reader (or a failed run) never sees half a file, and an old one stays whole. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    // Cleaning up must not hide why the write failed (rm fails too when the folder is not one).
    await rm(temporary, { force: true }).catch(() => undefined);
    throw messages.createError('error.CannotWrite', [path, (error as Error).message]);
  }
}
