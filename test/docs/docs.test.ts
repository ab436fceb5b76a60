import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README and docs/ stay true to the repository: every link points at a file that exists (and an
 * anchor at a heading it has), every `npm run X` they mention is a script, and the README stays the
 * short front door it is meant to be.
 */
const pages = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];
const text = (file: string) => readFileSync(file, 'utf8');
const scripts = Object.keys(
  (JSON.parse(text('package.json')) as { scripts: Record<string, string> }).scripts,
);

/** GitHub's heading anchors. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const m = !inCode && /^#{1,6} (.*)$/.exec(line);
    if (m)
      out.add(
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[`*_]/g, '')
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      );
  }
  return out;
}

/** Markdown links outside code blocks and code spans. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((l) => !/^(https?:|mailto:)/.test(l));
}

describe('the README and docs/', () => {
  it.each(pages)('%s: every link points at a file that exists, and every anchor at a heading', (page) => {
    for (const link of links(text(page))) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? normalize(join(dirname(page), path)) : page;
      expect(existsSync(target), `${page}: ${link}`).toBe(true);
      if (anchor && target.endsWith('.md'))
        expect(anchors(text(target)).has(anchor), `${page}: ${link}`).toBe(true);
    }
  });

  it.each(pages)('%s: every `npm run X` it mentions is a script of package.json', (page) => {
    for (const m of text(page).matchAll(/npm run (?:--silent )?([a-z][\w:-]*)/g)) {
      if (m[1] === 'X') continue;
      expect(scripts, `${page}: npm run ${m[1]}`).toContain(m[1]);
    }
  });

  it('docs/developing.md\'s "Every command" table has a row for every script of package.json', () => {
    const section = /## Every command\n([\s\S]*?)\n## /.exec(text('docs/developing.md'));
    expect(section, 'docs/developing.md has lost its "Every command" section').not.toBeNull();
    const listed = new Set(
      section![1]!
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) =>
          [...line.split('|')[1]!.matchAll(/npm (?:run )?([a-z][\w:-]*)/g)].map((m) => m[1]!),
        ),
    );
    for (const script of scripts) expect(listed, `npm run ${script}`).toContain(script);
  });

  it('the README is a front door of at most ~150 lines, its quick start the two commands', () => {
    const readme = text('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(160);
    expect(readme).toContain('npm run setup && npm run demo');
    expect(readme).toMatch(/\nnpm test\s/);
    for (const image of ['docs/images/job-summary.png', 'docs/images/confirmation.png'])
      expect(readme).toContain(image);
  });
});
