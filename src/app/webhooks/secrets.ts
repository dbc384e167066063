/**
 * Endpoints' signing secrets, kept so that a database reader cannot sign:
 * AES-256-GCM under a key derived (HKDF-SHA-256) from SESSION_SECRET, which
 * production takes from the environment, never from the database. (Outside
 * production an unset SESSION_SECRET is generated and kept in the database,
 * and then so is, in effect, this key.) Changing SESSION_SECRET leaves the
 * stored secrets unreadable: `open` throws, the worker fails those
 * endpoints' deliveries, and the endpoints must be made again.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  private readonly key: Buffer;

  constructor(sessionSecret: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', sessionSecret, 'wallet-service', 'webhook signing secrets', 32),
    );
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  open(stored: string): string {
    const [version, packed] = stored.split(':');
    if (version !== VERSION || packed === undefined) throw new Error('not a sealed secret');
    const bytes = Buffer.from(packed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** A new signing secret in Standard Webhooks' form: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
