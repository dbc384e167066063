/** Whether this instance can serve: its database answers a statement now. */
import { databaseAnswers } from '../db/database';
import type { Services } from './services';

export function databaseReady(services: Services): Promise<boolean> {
  return databaseAnswers(services.db);
}
