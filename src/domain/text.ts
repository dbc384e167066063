/** Rules for text as people give it and as the databases keep it. */

/** Emails are kept trimmed and lower-cased, so one mailbox is one account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const UNSTORABLE = /[\u0000\p{Cs}]/u;

/**
 * Text both databases keep exactly as given: PostgreSQL's text cannot hold
 * U+0000, and half a surrogate pair would be stored as U+FFFD, so two
 * different keys could be kept as one. Inputs refuse anything else.
 */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}
