/** The first row of a result, or null. */

export async function one<T>(rows: Promise<T[]>): Promise<T | null> {
  const found = await rows;
  return found.length > 0 ? found[0] : null;
}
