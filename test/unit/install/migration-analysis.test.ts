import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../shared/airlock-error.ts';
import { analyzeMigration, checkForbidden, describeFinding } from '../../../electron/core/install/migration-analysis.ts';
import { splitSqlStatements, tokenizeSql } from '../../../electron/core/install/sql-tokenizer.ts';

const kinds = (sql: string, unique: Record<string, boolean> = {}): string[] =>
  analyzeMigration(sql, (ix) => unique[ix]).destructive.map((f) => `${f.kind}:${f.target}`);

describe('SQL tokenizer', () => {
  it('keeps comments out and string literals, quoted identifiers and blobs whole', () => {
    const tokens = tokenizeSql(`SELECT 'it''s; DROP TABLE x' AS "a""b", [odd name], \`tick\`, x'00ff' -- DROP TABLE y;\n/* DELETE FROM z; */ FROM t;`);
    expect(tokens.map((t) => `${t.kind}:${t.value}`)).toEqual([
      'word:SELECT', "string:it's; DROP TABLE x", 'word:AS', 'identifier:a"b', 'punct:,', 'identifier:odd name', 'punct:,', 'identifier:tick', 'punct:,',
      "string:00ff", 'word:FROM', 'word:T', 'punct:;',
    ]);
  });

  it('splits at top-level semicolons only, with a trigger body (and CASE … END in it) as one statement', () => {
    const sql = `CREATE TABLE a (x TEXT DEFAULT ';');
-- a comment; with a semicolon
CREATE TRIGGER t AFTER INSERT ON a BEGIN
  UPDATE a SET x = CASE WHEN new.x = 'END' THEN 'e' ELSE 'f' END WHERE rowid = new.rowid;
  DELETE FROM a WHERE x IS NULL;
END;
INSERT INTO a VALUES ('one; two');;
SELECT 1`;
    const statements = splitSqlStatements(sql);
    expect(statements.map((s) => s.tokens[0]!.value)).toEqual(['CREATE', 'CREATE', 'INSERT', 'SELECT']);
    expect(statements[1]!.text.endsWith('END;')).toBe(true);
    expect(statements[1]!.line).toBe(3);
    expect(statements[3]!.text).toBe('SELECT 1');
  });

  it('reports an unterminated string with its line', () => {
    expect(() => tokenizeSql("SELECT 1;\nSELECT 'open")).toThrow(/line 2/);
  });
});

describe('destructive migration detection', () => {
  it('finds each destructive kind', () => {
    expect(kinds('DROP TABLE IF EXISTS main.old;')).toEqual(['drop-table:old']);
    expect(kinds('ALTER TABLE notes DROP COLUMN tag;')).toEqual(['drop-column:notes.tag']);
    expect(kinds('ALTER TABLE notes DROP tag;')).toEqual(['drop-column:notes.tag']);
    expect(kinds('ALTER TABLE notes RENAME TO memos;')).toEqual(['rename:notes']);
    expect(kinds('ALTER TABLE "notes" RENAME COLUMN body TO text;')).toEqual(['rename:notes']);
    expect(kinds('DELETE FROM notes;')).toEqual(['delete-without-where:notes']);
    expect(kinds("UPDATE notes SET tag = 'x';")).toEqual(['update-without-where:notes']);
    expect(kinds("UPDATE OR REPLACE notes SET tag = 'x';")).toEqual(['update-without-where:notes']);
    expect(kinds('WITH old AS (SELECT id FROM notes WHERE id < 5) DELETE FROM notes;')).toEqual(['delete-without-where:notes']);
  });

  it('is not fooled by comments, strings, WHERE in a sub-query, or additive statements', () => {
    expect(kinds(`-- DROP TABLE notes;
/* DELETE FROM notes; */
INSERT INTO log VALUES ('DROP TABLE notes; DELETE FROM notes');
ALTER TABLE notes ADD COLUMN tag TEXT;
CREATE INDEX notes_tag ON notes(tag);
DELETE FROM notes WHERE id = 1;
UPDATE notes SET tag = 'x' WHERE tag IS NULL;
CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM log; END;`)).toEqual([]);
    expect(kinds('UPDATE notes SET tag = (SELECT name FROM tags WHERE tags.id = 1);')).toEqual(['update-without-where:notes']);
    expect(kinds('DELETE FROM notes WHERE id IN (SELECT id FROM old);')).toEqual([]);
  });

  it('counts DROP INDEX only for unique indexes, known from the database or an earlier statement', () => {
    expect(kinds('DROP INDEX notes_tag;', { notes_tag: false })).toEqual([]);
    expect(kinds('DROP INDEX IF EXISTS notes_body;', { notes_body: true })).toEqual(['drop-unique-index:notes_body']);
    expect(kinds('DROP INDEX unknown;')).toEqual([]);
    expect(kinds('CREATE UNIQUE INDEX IF NOT EXISTS u ON t(x);\nDROP INDEX u;')).toEqual(['drop-unique-index:u']);
    expect(analyzeMigration('CREATE UNIQUE INDEX u ON t(x);').createsUniqueIndexes).toEqual(['u']);
  });

  it('describes findings with the statement and line', () => {
    const f = analyzeMigration('SELECT 1;\n\nDROP TABLE old;').destructive[0]!;
    expect(describeFinding(f)).toBe('statement 2 (line 3) drops table old');
  });

  it('refuses statements that manage transactions or attach files', () => {
    for (const sql of ['BEGIN; CREATE TABLE a(x); COMMIT;', 'VACUUM;', "ATTACH 'x.db' AS x;", 'ROLLBACK;']) {
      const a = analyzeMigration(sql);
      expect(a.forbidden.length, sql).toBeGreaterThan(0);
      expect(() => checkForbidden('0001_x', 'migrations/0001_x.sql', a)).toThrow(AirlockError);
    }
    expect(analyzeMigration('SAVEPOINT s; ROLLBACK TO s; RELEASE s;').forbidden).toEqual([]);
  });
});
