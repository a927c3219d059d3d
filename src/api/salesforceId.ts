import { Messages } from '@salesforce/core';
import '../common/pluginMessages.js';
import { printable } from '../common/terminalText.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'shared');

/*
 * Salesforce ids typed by a person. An id is 15 case-sensitive characters, or those 15 plus a 3-character checksum of
 * their case (https://help.salesforce.com/s/articleView?id=000385585&type=1, "18-character ID"): the checksum is
 * computed here, with no request, so a 15-character id from a Setup URL and the 18-character one from an API answer
 * are the same id, and an 18-character id whose checksum is wrong is a typo, caught before anything is sent.
 */

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_CHARACTERS = /^[a-zA-Z0-9]+$/;

/** The 3-character checksum of a 15-character id: one character per 5 characters, a bit for each upper-case letter. */
export function idChecksum(id15: string): string {
  let checksum = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let index = 0; index < 5; index++) {
      const char = id15.charAt(chunk * 5 + index);
      if (char >= 'A' && char <= 'Z') bits |= 1 << index;
    }
    checksum += CHECKSUM_ALPHABET.charAt(bits);
  }
  return checksum;
}

/**
 * Whether the value has the shape of a Salesforce id (15 or 18 letters and digits). The checksum is not judged here:
 * `id18` does that, for ids a person typed.
 */
export const isSalesforceId = (value: string): boolean => (value.length === 15 || value.length === 18) && ID_CHARACTERS.test(value);

/**
 * The 18-character form of an id typed by a person. Throws an SfError, so nothing is sent, for a value that is no
 * Salesforce id, and for an 18-character id whose last 3 characters are not the checksum of its first 15 (a typo:
 * read as the id of its first 15 characters, it would name a record the person did not mean).
 */
export function id18(value: string, kind: IdKind): string {
  if (!isSalesforceId(value)) throw messages.createError('error.InvalidId', [kind, printable(value)]);
  const expected = `${value.slice(0, 15)}${idChecksum(value.slice(0, 15))}`;
  // The checksum encodes case only, so a checksum typed in lower case is still the same id.
  if (value.length === 18 && value.slice(15).toUpperCase() !== expected.slice(15)) {
    throw messages.createError('error.MistypedId', [kind, printable(value), expected]);
  }
  return expected;
}

/**
 * The 18-character form of an id that Salesforce itself gave (an org's id from the login, which may hold the 15-character
 * form): the checksum is added, never judged, and a value that is no 15-character id is returned as it is.
 */
export const as18 = (id: string): string => (id.length === 15 && isSalesforceId(id) ? `${id}${idChecksum(id)}` : id);

/**
 * Whether two ids name the same record: compared in their 18-character form, so a 15-character id and its
 * 18-character form match, and ids that differ only in case do not. Values that are no ids never match.
 */
export function sameSalesforceId(a: string, b: string): boolean {
  if (!isSalesforceId(a) || !isSalesforceId(b)) return false;
  return a.slice(0, 15) === b.slice(0, 15);
}

export type IdKind = 'app' | 'user';

/** Throws an SfError (and so sends no request) unless the value is a 15- or 18-character Salesforce id. */
export function assertSalesforceId(value: string, kind: IdKind): string {
  if (!isSalesforceId(value)) {
    throw messages.createError('error.InvalidId', [kind, printable(value)]);
  }
  return value;
}
