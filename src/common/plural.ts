import { Messages } from '@salesforce/core';
import './pluginMessages.js';

const messages = Messages.loadMessages('@eca-tools/plugin-external-client-app', 'nouns');

export type Noun = 'externalClientApp' | 'app' | 'moreApp' | 'page' | 'user' | 'refreshToken' | 'appUserPair' | 'violation';

/**
 * A number with its noun, singular for exactly 1 and plural otherwise ("1 app", "0 apps", "2 apps"). The words live in
 * messages/nouns.md, one key per form, so that every count the plugin prints reads the same way.
 */
export const countOf = (count: number, noun: Noun): string => messages.getMessage(`${noun}.${count === 1 ? 'one' : 'other'}`, [count]);
