import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { keepWorkflowsAlive } from '../../src/github/keepalive.ts';

describe('keepWorkflowsAlive against a local stand-in for the GitHub API', () => {
  it('PUTs /actions/workflows/<file>/enable for each scheduled workflow with the token', async () => {
    const seen: { method?: string; url?: string; auth?: string }[] = [];
    const server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      if (req.url?.includes('missing.yml')) res.writeHead(404).end('{"message":"Not Found"}');
      else if (req.headers.authorization !== 'Bearer t0ken') res.writeHead(403).end('{}');
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await keepWorkflowsAlive({ apiUrl, repository: 'member/padel', token: 't0ken' });
      expect(ok.map((r) => r.ok)).toEqual([true, true, true]);
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'PUT /repos/member/padel/actions/workflows/book.yml/enable',
        'PUT /repos/member/padel/actions/workflows/watch.yml/enable',
        'PUT /repos/member/padel/actions/workflows/keepalive.yml/enable',
      ]);
      const bad = await keepWorkflowsAlive({
        apiUrl,
        repository: 'member/padel',
        token: 'nope',
        workflows: ['book.yml', 'missing.yml'],
      });
      expect(bad.map((r) => r.status)).toEqual([403, 404]);
      expect(bad[0]!.message).toContain('actions: write');
    } finally {
      server.close();
    }
  });
});
