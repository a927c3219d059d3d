/*
 * Text from the org or a file as a literal in GitHub Flavored Markdown: every Markdown output (the usage report's, the
 * policy check's) escapes values here.
 */
import { terminalText } from '../common/terminalText.js';

/**
 * A zero-width space, as an entity so the file shows it. GitHub turns `@name` into a mention (a notification to that
 * person or team) and `https://…`, `www.…` and `name@host` into links, table cells included; a backslash before the
 * `@` does not stop a mention. A zero-width space right after the `@`, inside the `://` and after `www` breaks each
 * pattern while the text reads the same; Dependabot and Renovate write `@&#8203;` in their pull requests for the same
 * reason. A code span would do it too, but changes how every value looks. `<https://…>` autolinks can't happen: `<`
 * is already an entity.
 */
const ZWSP = '&#8203;';

/**
 * Text as a literal in a GFM table cell: one line without control sequences (a table row is one line; the report may
 * be printed on a terminal), HTML-significant characters as entities, Markdown punctuation behind a backslash, and no
 * mention or autolink.
 */
export function escapeMarkdown(value: string): string {
  return terminalText(value.replace(/\s*[\r\n]+\s*/g, ' '))
    .replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`)
    .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`)
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/(www)\./gi, `$1${ZWSP}.`);
}
