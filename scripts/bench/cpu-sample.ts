import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of the processes a load run drives, from /proc (Linux): the API
 * process, every PostgreSQL process, and the machine as a whole. Divided by the
 * requests answered, it says where intake's time goes — what each process
 * spends per request, and how much of the machine stood idle (the API and
 * PostgreSQL waiting on each other). Elsewhere `take` returns null and the
 * benchmark leaves the figures out.
 */
export interface CpuSample {
  apiTicks: number;
  postgresTicks: number | null;
  machineTicks: number;
  idleTicks: number;
}

export interface CpuPerRequest {
  apiMicros: number;
  /** null when no PostgreSQL process is visible here (another host, another PID namespace). */
  postgresMicros: number | null;
  /** Everything the machine did (load generator, Redis and the kernel included), per request. */
  machineBusyMicros: number;
  idlePercent: number;
}

/** USER_HZ: Linux reports process times in hundredths of a second. */
const MICROS_PER_TICK = 10_000;

const processTicks = (pid: number | string): number => {
  // Fields after the command name (which may itself hold ") "): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

/** Every process named postgres on this machine (the benchmark runs nothing else on PostgreSQL meanwhile). */
const postgresTicks = (): number | null => {
  let sum = 0;
  let seen = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      sum += processTicks(pid);
      seen += 1;
    } catch {
      // The process ended meanwhile.
    }
  }
  return seen ? sum : null;
};

export function takeCpuSample(apiPid: number | undefined): CpuSample | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return {
      apiTicks: apiPid === undefined ? 0 : processTicks(apiPid),
      postgresTicks: postgresTicks(),
      machineTicks: cpu.reduce((a, b) => a + b, 0),
      // idle and iowait
      idleTicks: (cpu[3] ?? 0) + (cpu[4] ?? 0),
    };
  } catch {
    return null;
  }
}

export function cpuPerRequest(before: CpuSample | null, after: CpuSample | null, requests: number): CpuPerRequest | null {
  if (!before || !after || requests <= 0) return null;
  const per = (ticks: number) => Math.round((ticks * MICROS_PER_TICK) / requests);
  const machine = after.machineTicks - before.machineTicks;
  const idle = after.idleTicks - before.idleTicks;
  return {
    apiMicros: per(after.apiTicks - before.apiTicks),
    postgresMicros: after.postgresTicks === null || before.postgresTicks === null ? null : per(after.postgresTicks - before.postgresTicks),
    machineBusyMicros: per(machine - idle),
    idlePercent: machine > 0 ? Math.round((100 * idle) / machine) : 0,
  };
}
