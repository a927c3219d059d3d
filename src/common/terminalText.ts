/*
 * Text from the org or a file, made safe to show a person. A terminal acts on control characters and the sequences
 * they start: colours and cursor moves (CSI), hyperlinks (OSC 8), window titles and clipboard writes (other OSCs). A
 * developer name, username or API message holding them could hide a row, repaint a prompt or link somewhere else.
 * `--json` and CSV keep values as they are: they are data for programs (JSON escapes control characters itself).
 */

/* eslint-disable no-control-regex */

/**
 * ECMA-48 sequences, removed whole. A CSI (`ESC [` or U+009B) with its parameter, intermediate and final bytes. A
 * control string, OSC (`ESC ]`, U+009D), DCS (`ESC P`, U+0090), SOS (`ESC X`, U+0098), PM (`ESC ^`, U+009E) or APC
 * (`ESC _`, U+009F), up to BEL or ST (`ESC \`, U+009C), or else up to the next ESC or the end of the value, as a
 * terminal would have gone on swallowing what follows. Any other `ESC` with its intermediate and final bytes (`ESC c`
 * resets the terminal).
 */
const SEQUENCES =
  /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|(?=\x1b)|$)|\x1b[\x20-\x2f]*[\x30-\x7e]/g;

/**
 * Line breaks and tabs: a table cell, a line of a summary or a prompt stays one line, so a value can't add a line
 * that looks like the plugin's own. They become a space, as they separate words in an API's message or a description.
 */
const BREAKS = /[\t\n\v\f\r\x85\u2028\u2029]+/g;

/**
 * Every other C0 and C1 control and DEL, what is left of a sequence cut short, and the bidirectional overrides and
 * isolates, which reorder how the rest of a line reads: a visible `?`, so that something was there shows.
 */
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The value without control characters or the sequences they start, on one line; unchanged when it has none. */
export function terminalText(value: string): string {
  if (!UNSAFE.test(value)) return value;
  return value.replace(SEQUENCES, '').replace(BREAKS, ' ').replace(CONTROLS, '?');
}

/** Shortens and neutralises a value (typed, read from a file or sent by the org) before an error echoes it. */
export function printable(value: string, maxLength = 80): string {
  const clean = terminalText(value);
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 3)}...` : clean;
}
