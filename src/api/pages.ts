import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import type { TokenUsage, UsageRowBase } from './types.js';
import { followableUsageUrl } from './usagePaths.js';
import { tokenIdFrom } from './tokenIds.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/*
 * Pages of the usage lists as the client hands them on: what a caller may ask of a list, where its rows go as they
 * arrive, and the token id that only exists inside a token row's revocationUrl.
 */

export type PageOptions<T> = {
  pageSize?: number;
  /** Stop once this many rows are collected. */
  limit?: number;
  /** Called after each page with the rows collected so far. */
  onPage?: (rowsSoFar: number) => void;
  /** Keep only rows that pass; `limit` counts kept rows. */
  keep?: (row: T) => boolean;
};

/** Where rows go as they are read, in output order: an array, or a file written as the pages arrive. */
export type RowSink<R> = (rows: R[]) => Promise<void> | void;

/** Hands each page to the sink as it arrives; the next page is asked for once the sink is done with this one. */
export async function pagesInto<R>(pages: AsyncIterable<R[]>, sink: RowSink<R>): Promise<void> {
  for await (const page of pages) await sink(page);
}

export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const rows: T[] = [];
  await pagesInto(pages, (page) => {
    for (const row of page) rows.push(row);
  });
  return rows;
}

export function withTokenId(row: Record<string, unknown>, instanceUrl: string): TokenUsage {
  const url = row.revocationUrl;
  if (typeof url !== 'string') {
    throw messages.createError('error.InvalidTokenId', ['(a token row without revocationUrl)']);
  }
  // The token id only exists inside revocationUrl; refuse a row that points anywhere but the org's usage resources.
  followableUsageUrl(url, instanceUrl);
  // The row is the parsed response's own object, used nowhere else: adding the field beats copying the row, which for
  // 100,000 tokens made as many short-lived copies that V8 kept in its old generation until a full collection.
  const token = row as TokenUsage;
  token.tokenId = tokenIdFrom(url);
  return token;
}


/** Says which org a user or token row came from, in the row itself for the reason withTokenId gives. */
export function withOrgId<T extends UsageRowBase>(row: Record<string, unknown>, orgId: string): T {
  const own = row as UsageRowBase;
  own.orgId = orgId;
  return own as T;
}
