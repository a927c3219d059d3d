/*
 * The files a person gives with --from-file (what `tokens list` or `users list` wrote, as CSV or JSON), read into rows
 * that each say where they are in the file: one way of numbering, shared by every command that reads such a file, so
 * that an error about a row sends the reader to the same place an editor shows.
 */
import { readFile } from 'node:fs/promises';
import { Messages, SfError } from '@salesforce/core';
import '../common/pluginMessages.js';
import { type CsvRow, readCsv } from '../common/csv.js';
import { printable } from '../common/terminalText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'revoke');

/** A row of a file and where it is, as a person looks for it: "line 6" of a CSV (the header is line 1), "item 2" of a JSON array. */
export type FileRow = { where: string; row: Record<string, unknown> };

/**
 * Reads what `tokens list` or `users list` wrote: its `--json` output (the envelope or the bare array) or its CSV. A
 * file whose rows can't be told apart for sure (malformed CSV, an item of the array that is no row) is refused whole,
 * naming the file and the place, before anything is sent.
 */
export async function readTokenListFile(path: string): Promise<FileRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw messages.createError('error.FileUnreadable', [path, (error as Error).message]);
  }
  return parseRows(text, path);
}

/** Puts the file and the row in front of a row's validation error; its name and actions stay those of the error. */
export function atFileRow(error: unknown, path: string, where: string): unknown {
  if (!(error instanceof SfError)) return error;
  return new SfError(messages.getMessage('error.AtFileRow', [path, where, error.message]), error.name, error.actions, error.exitCode, error);
}

function parseRows(text: string, path: string): FileRow[] {
  const trimmed = text.trim();
  if (trimmed === '') throw messages.createError('error.FileEmpty', [path]);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return jsonRows(trimmed, path);
  let rows: CsvRow[];
  try {
    rows = readCsv(text);
  } catch (error) {
    if (!(error instanceof SfError)) throw error;
    throw new SfError(messages.getMessage('error.FileNotCsv', [path, error.message]), error.name, error.actions, error.exitCode, error);
  }
  const has = (column: string): boolean => rows.length > 0 && column in rows[0].fields;
  if (rows.length > 0 && !has('tokenId') && !has('revocationUrl') && !(has('appIdentifier') && has('userIdentifier'))) {
    throw messages.createError('error.FileWithoutTokenColumn', [path]);
  }
  return rows.map(({ line, fields }) => ({ where: messages.getMessage('location.line', [line]), row: fields }));
}

function jsonRows(text: string, path: string): FileRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw messages.createError('error.FileNotJson', [path]);
  }
  const items = Array.isArray(parsed) ? parsed : (parsed as { result?: unknown })?.result;
  if (!Array.isArray(items)) throw messages.createError('error.FileNotJson', [path]);
  return items.map((row: unknown, index) => {
    const where = messages.getMessage('location.item', [index + 1, index]);
    // A bare id or a number is no row: skipping it would report "Nothing to revoke" for a file that names tokens.
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw messages.createError('error.FileItemNotRow', [path, where, printable(JSON.stringify(row), 60)]);
    }
    return { where, row: row as Record<string, unknown> };
  });
}
