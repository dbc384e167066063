import type { PoolClient, QueryResult } from 'pg';
import { withIdLiterals, type IdStatement, type Sql } from '../sql';

function toPostgresPlaceholders(text: string): string {
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

/** Statement names per text: node-postgres prepares a named statement once per connection. */
const preparedNames = new Map<string, { name: string; text: string }>();
/** Texts beyond this many run unprepared, so an unforeseen variety cannot grow without bound. */
const PREPARED_MAX = 500;

function postgresStatement(text: string): { name?: string; text: string } {
  let statement = preparedNames.get(text);
  if (statement === undefined) {
    if (preparedNames.size >= PREPARED_MAX) return { text: toPostgresPlaceholders(text) };
    statement = { name: `wallet_${preparedNames.size}`, text: toPostgresPlaceholders(text) };
    preparedNames.set(text, statement);
  }
  return statement;
}

/**
 * PostgreSQL straight through one pooled node-postgres client, each statement
 * prepared once per connection: TypeORM's runner cost more than the
 * statements on the hot path.
 */
export class PostgresSql implements Sql {
  readonly kind = 'postgres';

  constructor(
    private readonly client: PoolClient,
    /** A transaction's opening statements, not sent yet: they join the first round trip they can. */
    private opening: string | null = null,
  ) {}

  /** Whether the opening has gone out (a transaction that sent nothing has nothing to end). */
  get opened(): boolean {
    return this.opening === null;
  }

  private takeOpening(): string | null {
    const opening = this.opening;
    this.opening = null;
    return opening;
  }

  private async query(text: string, params: readonly unknown[]) {
    const opening = this.takeOpening();
    if (opening !== null) await this.client.query(opening);
    return this.client.query({
      ...postgresStatement(text),
      // node-postgres has no bigint binding.
      values: params.map((p) => (typeof p === 'bigint' ? p.toString() : p)),
    });
  }

  async rows<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.query(text, params)).rows as T[];
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.query(text, params)).rowCount ?? 0;
  }

  async rowsOfEach<T>(statements: readonly IdStatement[]): Promise<T[][]> {
    const opening = this.takeOpening();
    const texts = [...(opening === null ? [] : [opening]), ...statements.map(withIdLiterals)];
    const results = (await this.client.query(texts.join(';\n'))) as unknown as
      QueryResult | QueryResult[];
    const each = Array.isArray(results) ? results : [results];
    return each.slice(each.length - statements.length).map((result) => result.rows as T[]);
  }
}
