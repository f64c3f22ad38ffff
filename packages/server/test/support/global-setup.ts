/** Vitest global setup: one throwaway PostgreSQL cluster for the whole run; each suite makes its own database. */
import type { TestProject } from 'vitest/node';
import { requirePostgres, startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the run's PostgreSQL cluster (its `postgres` maintenance DB), or '' when unavailable. */
    postgresUrl: string;
  }
}

/** Starts the cluster (or, outside CI without PostgreSQL, provides '' so those suites skip loudly). */
export default async function setup(project: TestProject) {
  if (!requirePostgres('PostgreSQL suites')) {
    project.provide('postgresUrl', '');
    return;
  }
  const pg = await startPostgres();
  project.provide('postgresUrl', pg.url);
  return async () => {
    await pg.stop();
  };
}
