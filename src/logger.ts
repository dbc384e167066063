import pino from 'pino';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

/** JSON lines on stdout; passwords and cookies never reach them. */
export function createLogger(level: LogLevel): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: ['req.headers.cookie', '*.password', 'password'],
    },
    // Synchronous: no line is lost when the process exits (measured: the
    // default async stream dropped the last lines before process.exit).
    // Nothing is logged per request at info, so this costs little.
    pino.destination({ dest: 1, sync: true }),
  );
}
