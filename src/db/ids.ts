import { randomBytes } from 'node:crypto';

/**
 * An id for a ledger row: a UUIDv7 (RFC 9562), whose first 48 bits are the
 * time in milliseconds and the rest random. Rows made one after another get
 * ids that sort together, so each insert into the unique index on `id` lands
 * on that index's last page instead of a random one: a group commit writes a
 * page or two there instead of one per row. (Wallets and users keep random
 * ids: a wallet id is handed to other people, and need not tell its age.)
 */
export function ledgerId(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
