const SOQL_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * A SOQL string literal: a quote or backslash in a username must end neither the literal nor the query
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm).
 */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (char) => SOQL_ESCAPES[char])}'`;
}

/**
 * A SOQL LIKE pattern for values that begin with `prefix`: the literal as above, with LIKE's own wildcards (% and _)
 * in the prefix escaped, so that "jane_doe" matches only itself and not "janeXdoe".
 */
export function soqlPrefixPattern(prefix: string): string {
  return `${soqlString(prefix).slice(0, -1).replace(/[%_]/g, (char) => `\\${char}`)}%'`;
}
