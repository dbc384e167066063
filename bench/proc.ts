/**
 * What processes have used, read from Linux's /proc: the benchmarks' CPU,
 * system-call and preemption figures.
 */
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function read(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process ended while being read
  }
}

/** A process's command, parent and CPU seconds so far, or null once it has gone. */
export function processStat(
  pid: number | string,
): { command: string; parent: number; cpuSeconds: number; systemCpuSeconds: number } | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command is in parentheses and may hold spaces; the fields follow it.
  const close = stat.lastIndexOf(') ');
  const fields = stat.slice(close + 2).split(' ');
  // fields[1] is the parent pid; [11] and [12] are utime and stime.
  return {
    command: stat.slice(stat.indexOf('(') + 1, close),
    parent: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    systemCpuSeconds: Number(fields[12]) / TICKS_PER_SECOND,
  };
}

const processIds = () => fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));

/** What a server process and its live children (WORKERS) have used so far. */
export interface Usage {
  /** CPU seconds, user + system. */
  cpuSeconds: number;
  /** Of which in the kernel (system calls: writes, fsyncs, the sockets). */
  systemCpuSeconds: number;
  /** write-family system calls (SQLite's log and journals, and the responses). */
  writeCalls: number;
  /** Bytes those calls wrote. */
  writtenBytes: number;
  /**
   * read-family system calls: the requests, and the pages SQLite reads again
   * after another process's commit emptied its page cache (WORKERS).
   */
  readCalls: number;
  /**
   * Times the kernel took the CPU from a main thread that could have gone on
   * (involuntary context switches). Each costs more than the switch: the
   * caches are another process's when the thread comes back.
   */
  preemptions: number;
}

export function serverUsage(pid: number): Usage {
  const usage: Usage = {
    cpuSeconds: 0,
    systemCpuSeconds: 0,
    writeCalls: 0,
    readCalls: 0,
    writtenBytes: 0,
    preemptions: 0,
  };
  for (const entry of processIds()) {
    const stat = processStat(entry);
    if (!stat || (Number(entry) !== pid && stat.parent !== pid)) continue;
    usage.cpuSeconds += stat.cpuSeconds;
    usage.systemCpuSeconds += stat.systemCpuSeconds;
    const io = read(`/proc/${entry}/io`) ?? '';
    usage.writeCalls += Number(/^syscw: (\d+)/m.exec(io)?.[1] ?? 0);
    usage.readCalls += Number(/^syscr: (\d+)/m.exec(io)?.[1] ?? 0);
    usage.writtenBytes += Number(/^wchar: (\d+)/m.exec(io)?.[1] ?? 0);
    const status = read(`/proc/${entry}/status`) ?? '';
    usage.preemptions += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return usage;
}

/** CPU seconds of every process running `command` (PostgreSQL's backends: "postgres"). */
export function cpuSecondsOf(command: string): number {
  let total = 0;
  for (const entry of processIds()) {
    const stat = processStat(entry);
    if (stat?.command === command) total += stat.cpuSeconds;
  }
  return total;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
