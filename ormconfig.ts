/**
 * The TypeORM DataSource for the TypeORM CLI, built from DATABASE_URL like the
 * service's own: `npm run typeorm -- migration:show` (after `npm run build`).
 */
import 'reflect-metadata';
import { loadConfig } from './src/config';
import { buildDataSource } from './src/db/data-source';

export default buildDataSource(loadConfig());
