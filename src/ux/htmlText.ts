/** Text from the org or a file, safe in HTML content and in a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A count as people read it: 12,345. */
export const count = (value: number): string => value.toLocaleString('en-US');
