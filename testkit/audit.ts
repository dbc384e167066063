import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MAIN } from './server';

/**
 * Runs the real `wallet audit` command on a database; its exit code and
 * output. A benchmark of another build audits with that build's command:
 * an earlier build kept fewer invariants (a wallet's times in order came later).
 */
export async function runAudit(
  databaseUrl: string,
  main = MAIN,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [main, 'audit'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' },
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}
