/** The currencies the service knows. */
import type { Sql } from '../sql';

/** Every currency with its precision (digits after the decimal point). */
export async function allCurrencies(sql: Sql): Promise<{ code: string; precision: number }[]> {
  return sql.rows<{ code: string; precision: number }>('SELECT code, precision FROM currencies');
}
