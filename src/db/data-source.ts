import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Config } from '../config';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from '../migrations';

type DatabaseSettings = Pick<
  Config,
  'databaseUrl' | 'databaseKind' | 'sqlitePath' | 'dbPoolSize' | 'lockTimeoutMs'
>;

/** The TypeORM DataSource for a DATABASE_URL. Schema comes from migrations only. */
export function buildDataSource(settings: DatabaseSettings): DataSource {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false };
  let options: DataSourceOptions;
  if (settings.databaseKind === 'sqlite') {
    const file = settings.sqlitePath as string;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    options = {
      ...common,
      type: 'better-sqlite3',
      database: file,
      enableWAL: true,
      // The busy timeout bounds how long a write waits for another process's lock.
      timeout: settings.lockTimeoutMs,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        // FULL: a movement that was answered survives a power cut.
        db.pragma('synchronous = FULL');
      },
    };
  } else {
    options = {
      ...common,
      type: 'postgres',
      url: settings.databaseUrl,
      applicationName: 'wallet-service',
      extra: { max: settings.dbPoolSize },
    };
  }
  return new DataSource(options);
}
