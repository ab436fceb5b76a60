/**
 * Untrusted or free text (the engine's messages quote the venue's site and paths such as
 * `src/venue/profiles/<venue>.yml`) set as Markdown in the job summary: every character that
 * Markdown or HTML would read as markup is escaped, so `<venue>` shows as `<venue>` instead of
 * vanishing as an unknown HTML tag, and `*`, `_`, `` ` ``, `[`, `|` show as themselves. Colons and
 * slashes stay, so a URL is still a link. Newlines keep the text inside a `> ` quote.
 */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~&-]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\n> ');
}
