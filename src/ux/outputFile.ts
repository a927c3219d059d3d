import { randomBytes } from 'node:crypto';
import { closeSync, constants, rmSync } from 'node:fs';
import { lstat, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { csvHeader, csvLines } from '../common/csv.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'outputFile');

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
  await writeTextPieces(path, [text]);
}

/**
 * writeTextFile for a text made piece by piece (a generator of lines or pages): only about WRITE_CHUNK of it is held
 * at a time, so a file of 100,000 lines never exists whole in memory. A piece that fails to come (the generator
 * throws) removes the temporary file, as a failed write does.
 */
export async function writeTextPieces(path: string, pieces: Iterable<string>): Promise<void> {
  let file: Replacement;
  try {
    file = await Replacement.open(path);
  } catch (error) {
    throw messages.createError('error.CannotWrite', [path, causeOf(error)]);
  }
  try {
    for (const piece of pieces) await file.append(piece); // eslint-disable-line no-await-in-loop -- one after another, in order
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
}

export type RowFileFormat = 'csv' | 'json';

/**
 * `-r csv` means CSV and `-r json` a JSON array, whatever the name; without either (`-r human`, the default, has no
 * file form), a name ending in `.csv` means CSV and anything else a JSON array.
 */
export function rowFileFormat(path: string, resultFormat: string): RowFileFormat {
  if (resultFormat === 'csv' || resultFormat === 'json') return resultFormat;
  return /\.csv$/i.test(path) ? 'csv' : 'json';
}

/**
 * Rows as one JSON array, the text a JSON output file holds when whole (openRowFile writes the same bytes page by
 * page): `-r json` prints it, so that stdout and the file can be read the same way.
 */
export const jsonArrayText = (rows: ReadonlyArray<Record<string, unknown>>): string => `${JSON.stringify(rows, null, 2)}\n`;

/** An output file that takes rows as they are read: CSV with the header of the stdout CSV, or a JSON array. */
export type RowFile<R> = {
  /** Absolute. */
  readonly path: string;
  readonly format: RowFileFormat;
  /** Rows written so far. */
  readonly rows: number;
  write(rows: readonly R[]): Promise<void>;
  /** Ends the file and puts it in place of any file at `path`. */
  commit(): Promise<void>;
  /** Removes what was written; a file at `path` stays as it was. */
  abort(): Promise<void>;
};

/** Text is handed to the file in pieces of about this size: few writes, and memory that does not grow with the rows. */
const WRITE_CHUNK = 64 * 1024;

export type OpenFile = (path: string, flags: number, mode: number) => Promise<FileHandle>;

/**
 * The temporary file is always a new file: O_EXCL fails on anything already at its path, a planted symlink included,
 * so the run never writes through a file someone else put there (O_NOFOLLOW says the same where the system has it).
 */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Opens an output file for rows before the run sends any request: a folder that is missing or can't be written to is
 * an error then, not after an hour of reading. The CSV is what `-r csv` prints to stdout (csv.ts writes both); the JSON
 * is byte for byte `JSON.stringify(rows, null, 2)`, the array a `--json` run returns as `result`, so `--from-file`
 * reads either.
 */
export async function openRowFile<R extends Record<string, unknown>>(
  path: string,
  format: RowFileFormat,
  csvColumns: readonly string[],
  openFile: OpenFile = open
): Promise<RowFile<R>> {
  const target = await checkedOutputPath(path);
  let file: Replacement;
  try {
    file = await Replacement.open(target, openFile);
  } catch (error) {
    throw messages.createError('error.CannotCreate', [target, causeOf(error)]);
  }
  let rows = 0;
  if (format === 'csv') await file.append(csvHeader(csvColumns));
  return {
    path: target,
    format,
    get rows(): number {
      return rows;
    },
    async write(page): Promise<void> {
      const text = format === 'csv' ? csvLines(page, csvColumns) : jsonItems(page, rows === 0);
      rows += page.length;
      await file.append(text);
    },
    async commit(): Promise<void> {
      if (format === 'json') await file.append(rows === 0 ? '[]\n' : '\n]\n');
      await file.commit();
    },
    abort: () => file.abort(),
  };
}

/**
 * A file written beside its target (`<target>.<random>.tmp`, mode 0600) and renamed over it by commit, so that a failed
 * or interrupted run leaves no half-written file and an old file whole. A failure removes the temporary file.
 */
class Replacement {
  private closed = false;
  private done = false;
  /** Text appended but not yet written: it goes to the file once it reaches WRITE_CHUNK, or at commit. */
  private pending = '';
  /**
   * Ctrl-C ends the process with process.exit (signals.ts), when only a synchronous 'exit' listener still runs: this
   * one removes the temporary file.
   */
  private readonly removeOnExit: () => void;

  private constructor(private readonly target: string, private readonly temporary: string, private readonly handle: FileHandle) {
    this.removeOnExit = (): void => {
      try {
        if (!this.closed) closeSync(this.handle.fd);
      } catch {
        // Already closed: the file can go all the same.
      }
      rmSync(this.temporary, { force: true });
    };
    process.on('exit', this.removeOnExit);
  }

  public static async open(target: string, openFile: OpenFile = open): Promise<Replacement> {
    // A name nobody can guess, so that nobody can plant a file under it in a shared folder. A failed open created
    // nothing: whatever is at that path is someone else's and stays.
    const temporary = `${target}.${randomBytes(8).toString('hex')}.tmp`;
    return new Replacement(target, temporary, await openFile(temporary, CREATE_NEW, 0o600));
  }

  /** Text for the file: written in pieces of about WRITE_CHUNK, so that many small appends make few writes. */
  public async append(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= WRITE_CHUNK) await this.flush();
  }

  /** On disk before the rename, so that a crash just after it can't leave an empty file where the old one was. */
  public async commit(): Promise<void> {
    await this.flush();
    await this.step(async () => {
      // A file replaced keeps its permissions (a 0600 file must not become readable by others). lstat: a symlink at
      // the target is replaced by the rename, never followed, so its target's mode is not taken either.
      const old = await lstat(this.target).catch(() => undefined);
      if (old?.isFile()) await this.handle.chmod(old.mode & 0o777);
      await this.handle.sync();
      this.closed = true;
      await this.handle.close();
      await rename(this.temporary, this.target);
    });
    this.done = true;
    process.off('exit', this.removeOnExit);
  }

  public async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.pending = '';
    process.off('exit', this.removeOnExit);
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await rm(this.temporary, { force: true }).catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    await this.step(() => writeAll(this.handle, Buffer.from(chunk)));
  }

  private async step(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      await this.abort();
      throw messages.createError('error.CannotWrite', [this.target, causeOf(error)]);
    }
  }
}

/** A write may take fewer bytes than it was given (a full disk, a quota): the rest is written, or the run fails. */
async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    // eslint-disable-next-line no-await-in-loop
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) throw new Error(messages.getMessage('reason.ShortWrite', [bytes.length - offset]));
    offset += bytesWritten;
  }
}

/** Items of a JSON array as JSON.stringify(array, null, 2) writes them; `first` opens the array. */
function jsonItems(rows: ReadonlyArray<Record<string, unknown>>, first: boolean): string {
  let text = '';
  rows.forEach((row, index) => {
    // JSON escapes the line breaks inside strings, so every line break here is the layout's, to indent one level.
    text += `${first && index === 0 ? '[\n  ' : ',\n  '}${JSON.stringify(row, null, 2).replace(/\n/g, '\n  ')}`;
  });
  return text;
}

const causeOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
