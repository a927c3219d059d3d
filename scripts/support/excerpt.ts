/*
 * How `npm run demo` shows a command's long output: cut to its first and last lines, with one note for what it left
 * out. A revoke's table already stops at 50 rows and says "… and N more (use --json for every target)."; the demo's
 * cut and that line would be two notes about the same missing rows, so the demo folds the command's count into its own.
 */

/** The line a command prints under a table it cut ("… and 230 more (use --json for every target)."). */
const COMMAND_CUT = /^… and (\d+) more\b\s*(.*?)\.?$/;

export const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** A row of sf's tables (their borders start with other box characters). */
const isRow = (line: string): boolean => line.startsWith('│');

/**
 * The lines to show of `lines`: all of them when they fit in `head` + `tail`, else the first `head`, one note (made
 * by `note`, e.g. dimmed) and the last `tail`. When the cut lines are all table rows and the command printed its own
 * cut line after them, that line goes, and the note counts both: the rows the demo hid and those the command did.
 */
export function excerpt(lines: readonly string[], note: (text: string) => string = (text): string => text, head = 13, tail = 4): string[] {
  if (lines.length <= head + tail) return [...lines];
  const at = lines.findIndex((line, index) => index >= head && COMMAND_CUT.test(line));
  if (at >= 0) {
    const rest = lines.filter((_, index) => index !== at);
    // Without the command's line it fits: shown whole, with the one note the command printed.
    if (rest.length <= head + tail) return [...lines];
    const hidden = rest.slice(head, -tail);
    if (hidden.every(isRow)) {
      const [, count, hint] = COMMAND_CUT.exec(lines[at])!;
      const text = `  ⋮ ${plural(hidden.length + Number(count), 'more row')} not shown${hint ? ` ${hint}` : ''}`;
      return [...rest.slice(0, head), note(text), ...rest.slice(-tail)];
    }
  }
  const hidden = lines.slice(head, -tail);
  const text = `  ⋮ ${plural(hidden.length, hidden.every(isRow) ? 'more row' : 'more line')} not shown`;
  return [...lines.slice(0, head), note(text), ...lines.slice(-tail)];
}
