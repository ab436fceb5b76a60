import { execFile } from 'node:child_process';
import { cp, mkdtemp, open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A folder that stops taking writes part-way through a run, for real: a small tmpfs mounted over it,
 * then remounted read-only (writes fail with EROFS, even for root) or filled to the last byte (ENOSPC).
 * chmod cannot do this here (the matrix may run as root, which ignores permissions); a mount can.
 * Mounting needs root, or passwordless sudo as on GitHub's hosted runners; without either the row
 * that needs it fails and says so.
 */

const run = promisify(execFile);

async function privileged(args: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  try {
    await (root ? run(args[0]!, args.slice(1)) : run('sudo', ['-n', ...args]));
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(
      `\`${args.join(' ')}\` failed${root ? '' : ' (through sudo -n)'}: ${(e.stderr || e.message).trim()}. ` +
        'The read-only and disk-full rows mount a small tmpfs: run them as root or with passwordless sudo.',
      { cause: error },
    );
  }
}

export type FragileFolder = {
  /** Writes fail from now on with EROFS. */
  makeReadOnly(): Promise<void>;
  /** Fills the folder's filesystem until a write fails with ENOSPC; returns the bytes written. */
  fill(): Promise<number>;
  /** Unmounts: the folder holds again what it held before the mount. */
  release(): Promise<void>;
};

/** Mounts a tmpfs of `sizeKiB` over `dir`, with `dir`'s files copied in (git sees no change). */
export async function fragileFolder(dir: string, sizeKiB = 512): Promise<FragileFolder> {
  const aside = await mkdtemp(join(tmpdir(), 'fault-folder-'));
  await cp(dir, aside, { recursive: true, preserveTimestamps: true });
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  await privileged([
    'mount',
    '-t',
    'tmpfs',
    '-o',
    `size=${sizeKiB}k,mode=0755,uid=${uid},gid=${gid}`,
    'tmpfs',
    dir,
  ]);
  let mounted = true;
  await cp(aside, dir, { recursive: true, preserveTimestamps: true });
  return {
    makeReadOnly: () => privileged(['mount', '-o', 'remount,ro', dir]),
    async fill() {
      const handle = await open(join(dir, '.disk-filler'), 'w');
      const chunk = Buffer.alloc(16 * 1024, 0x46);
      let written = 0;
      try {
        const { bavail, bsize } = await statfs(dir);
        while (written <= bavail * bsize + chunk.length) {
          written += (await handle.write(chunk)).bytesWritten;
        }
        throw new Error(`${dir}: the tmpfs took ${written} bytes and never filled`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        return written;
      } finally {
        await handle.close();
      }
    },
    async release() {
      if (!mounted) return;
      mounted = false;
      await privileged(['umount', dir]).catch(() => privileged(['umount', '-l', dir]));
      await rm(aside, { recursive: true, force: true });
    },
  };
}
