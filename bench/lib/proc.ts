import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/**
 * Memory of a process and everything it started (Node + Chromium's browser, renderer, GPU and
 * utility processes), read from /proc: the sum of VmRSS over the tree (what `ps` would add up; shared
 * pages counted once per process, so it overstates) and the sum of Pss (shared pages split).
 */

function readParent(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ... — comm may contain spaces and parentheses.
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(after[1]);
  } catch {
    return undefined;
  }
}

function readRssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size: shared pages split between the processes sharing them (0 when unreadable). */
function readPssKb(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+)\s+kB/m.exec(rollup);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and all its descendants alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const parent = readParent(pid);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export function treeMemoryBytes(root: number): { rss: number; pss: number; processes: number } {
  const pids = processTree(root);
  return {
    rss: pids.reduce((sum, pid) => sum + readRssKb(pid) * 1024, 0),
    pss: pids.reduce((sum, pid) => sum + readPssKb(pid) * 1024, 0),
    processes: pids.length,
  };
}

/** Samples the tree's memory every `everyMs` until stopped; returns the peaks (RSS sum and PSS sum). */
export function sampleTreeMemory(root: number, everyMs = 50) {
  let peakRss = 0;
  let peakPss = 0;
  let peakProcesses = 0;
  const take = () => {
    const { rss, pss, processes } = treeMemoryBytes(root);
    if (rss > peakRss) {
      peakRss = rss;
      peakProcesses = processes;
    }
    peakPss = Math.max(peakPss, pss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(): { peakRssBytes: number; peakPssBytes: number; processes: number } {
      clearInterval(timer);
      take();
      return { peakRssBytes: peakRss, peakPssBytes: peakPss, processes: peakProcesses };
    },
  };
}

export type Machine = {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
};

export function machine(): Machine {
  const list = cpus();
  let load: number[];
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    load = [];
  }
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: load,
  };
}

/** The 1-minute load average now (other work on the machine), or null where /proc has none. */
export function loadAverage1(): number | null {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}
