/**
 * Untrusted or free text (the engine's messages quote the venue's site and paths such as
 * `src/venue/profiles/<venue>.yml`) set as Markdown in the job summary: every character that
 * Markdown or HTML would read as markup is escaped, so `<venue>` shows as `<venue>` instead of
 * vanishing as an unknown HTML tag, and `*`, `_`, `` ` ``, `[`, `|`, `&` show as themselves; a line
 * that would start a heading, a list or a quote is escaped at its start. Colons and slashes stay,
 * so a URL is still a link. Newlines keep the text inside a `> ` quote.
 */
export function markdownText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) =>
      line
        .replace(/[\\`*_{}[\]<>|~&]/g, (c) => `\\${c}`)
        .replace(/^(\s*)([#+=-])/, '$1\\$2')
        .replace(/^(\s*\d+)([.)])/, '$1\\$2'),
    )
    .join('\n> ');
}
