import pino from 'pino';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

/** JSON lines on stdout; passwords and cookies never reach them. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.cookie', '*.password', 'password'],
  });
}
