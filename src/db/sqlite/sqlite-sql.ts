import type { Database as BetterSqlite3Connection, Statement } from 'better-sqlite3';
import { assertIds, type IdStatement, type Sql } from '../sql';

/**
 * SQLite straight through better-sqlite3, each text prepared once and kept:
 * the hot path's statements are few and fixed, and TypeORM's runner adds an
 * event broadcast and a logger call to every statement.
 */
export class SqliteSql implements Sql {
  readonly kind = 'sqlite';
  private readonly statements = new Map<string, Statement>();

  constructor(readonly connection: BetterSqlite3Connection) {}

  private prepared(text: string): Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.connection.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Synchronous underneath; the promise keeps the interface both dialects share. */
  async rows<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    const statement = this.prepared(text);
    return statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), []);
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    const statement = this.prepared(text);
    return statement.reader ? statement.all(...params).length : statement.run(...params).changes;
  }

  async rowsOfEach<T>(statements: readonly IdStatement[]): Promise<T[][]> {
    const each: T[][] = [];
    for (const { text, params } of statements) {
      assertIds(params);
      each.push(await this.rows<T>(text, params));
    }
    return each;
  }

  exec(text: string): void {
    this.connection.exec(text);
  }
}
