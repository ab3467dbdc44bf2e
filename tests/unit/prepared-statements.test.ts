/**
 * Prepared statements on PostgreSQL (src/db/postgres-pool.ts): what the pool prepares, what it never
 * does, and a migration that adds a column while statements are prepared. On the machine's
 * PostgreSQL (TEST_DATABASE_URL), in a table of this test's own.
 */
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresPool } from '../../src/db/postgres-pool.js';
import { findAccountByUid } from '../../src/db/queries/accounts.js';
import type { Database } from '../../src/db/schema.js';

const databaseUrl = process.env.TEST_DATABASE_URL;

describe.runIf(databaseUrl)('prepared statements (PostgreSQL)', () => {
  const table = `prepared_probe_${randomBytes(4).toString('hex')}`;
  // One connection, so the statements it prepared are those pg_prepared_statements lists.
  const open = (preparedStatements: boolean) =>
    new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPostgresPool({ connectionString: databaseUrl!, max: 1, preparedStatements }) }) });
  const prepared = async (db: Kysely<Database>) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map((r) => r.statement);
  const probe = (db: Kysely<Database>, id: number) => sql<{ id: number; name: string }>`select id, name from ${sql.table(table)} where id = ${id}`.execute(db);
  const probeAll = (db: Kysely<Database>, id: number) => sql`select * from ${sql.table(table)} where id = ${id}`.execute(db);

  let db: Kysely<Database>;
  beforeAll(async () => {
    db = open(true);
    await sql`create table ${sql.table(table)} (id int primary key, name text not null)`.execute(db);
    await sql`insert into ${sql.table(table)} values (1, 'one'), (2, 'two')`.execute(db);
  });
  afterAll(async () => {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
    await db.destroy();
  });

  it('prepares a statement from its third run on, and answers the same', async () => {
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push((await probe(db, 1)).rows);
    expect((await prepared(db)).some((s) => s.includes(table))).toBe(false);
    for (let i = 0; i < 3; i++) answers.push((await probe(db, 2)).rows);
    expect((await prepared(db)).filter((s) => s.includes(table))).toEqual([`select id, name from "${table}" where id = $1`]);
    expect(answers).toEqual([...Array(2).fill([{ id: 1, name: 'one' }]), ...Array(3).fill([{ id: 2, name: 'two' }])]);
  });

  it('never prepares a statement with * (its result would change with the table)', async () => {
    for (let i = 0; i < 5; i++) await probeAll(db, 1);
    expect((await prepared(db)).filter((s) => s.includes('*'))).toEqual([]);
  });

  it('keeps answering after a migration adds a column to a table a prepared statement reads', async () => {
    for (let i = 0; i < 3; i++) await probe(db, 1);
    await sql`alter table ${sql.table(table)} add column extra text`.execute(db);
    expect((await probe(db, 1)).rows).toEqual([{ id: 1, name: 'one' }]);
    expect((await probeAll(db, 1)).rows).toEqual([{ id: 1, name: 'one', extra: null }]);
  });

  it("the bearer check's account lookup is prepared (it names its columns)", async () => {
    for (let i = 0; i < 3; i++) expect(await findAccountByUid(db, `ID${randomBytes(5).toString('hex').toUpperCase()}`)).toBeUndefined();
    expect((await prepared(db)).some((s) => s.startsWith('select "id", "uid", "email"') && s.includes('from "accounts" where "uid" = $1'))).toBe(true);
  });

  it('DATABASE_PREPARED_STATEMENTS=false prepares nothing', async () => {
    const plain = open(false);
    try {
      for (let i = 0; i < 5; i++) await probe(plain, 1);
      expect(await prepared(plain)).toEqual([]);
    } finally {
      await plain.destroy();
    }
  });
});
