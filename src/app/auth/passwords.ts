import argon2 from 'argon2';
import { passwordVerifications } from '../../metrics';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane):
 * measured here ~51 hashes/s on one core and ~92/s on two, against ~10/s for
 * the library's defaults; enough to make guessing costly without letting a
 * burst of logins starve the server.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  // Counted (in /metrics) so a test can prove unknown emails cost the same one verification.
  passwordVerifications.inc();
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * A login for an unknown email verifies against this, so it costs the same
 * one argon2 verification as a known email with a wrong password.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-password-anyone-has');
  return dummyHash;
}
