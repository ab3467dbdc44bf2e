import type { Executor, LevelRow } from '../schema.js';

export function listLevels(db: Executor): Promise<LevelRow[]> {
  return db.selectFrom('levels').selectAll().orderBy('id').execute();
}
