/** What tests assert of a refusal: its code, and that it changed nothing. */
import assert from 'node:assert/strict';
import type { Client } from '../../testkit/client';
import { ledgerSnapshot } from '../../testkit/databases';

/** A GraphQL answer's first error code, 'NO_CODE' for an error without one, or 'ok'. */
export function codeOf(response: { errors?: { extensions?: { code?: string } }[] }): string {
  return response.errors ? (response.errors[0].extensions?.code ?? 'NO_CODE') : 'ok';
}

/**
 * Asserts that `client` is refused with `code` and that the ledger of the
 * database at `databaseUrl` is as it was; the refusal's message.
 */
export async function refusedUnchanged(
  databaseUrl: string,
  client: Client,
  code: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<string> {
  const before = await ledgerSnapshot(databaseUrl);
  const message = await client.refused(code, query, variables);
  assert.equal(await ledgerSnapshot(databaseUrl), before, `${code} changed nothing`);
  return message;
}
