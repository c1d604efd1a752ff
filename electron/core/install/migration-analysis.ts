// Which statements of a migration destroy or rewrite data (KIT-FORMAT §7):
// DROP TABLE, ALTER TABLE … DROP COLUMN, ALTER TABLE … RENAME, DROP INDEX on
// a unique index, and DELETE or UPDATE without a WHERE. Judged on tokens, so
// comments and string literals cannot hide or fake a keyword. Statements
// inside a trigger body are not judged: they run later, when the trigger
// fires, not while the migration is applied.
import { AirlockError } from '../../../shared/airlock-error.ts';
import { isWord, splitSqlStatements, type SqlStatement, type SqlToken } from './sql-tokenizer.ts';

export type DestructiveKind = 'drop-table' | 'drop-column' | 'rename' | 'drop-unique-index' | 'delete-without-where' | 'update-without-where';

export interface DestructiveFinding {
  kind: DestructiveKind;
  /** 1-based statement number in the file. */
  statement: number;
  line: number;
  /** The table, column or index the statement names. */
  target: string;
  /** The statement, shortened for messages. */
  sql: string;
}

/** Statements Airlock refuses in a migration because it wraps each file in its own transaction. */
export interface ForbiddenStatement {
  statement: number;
  line: number;
  keyword: string;
}

export interface MigrationAnalysis {
  statements: SqlStatement[];
  destructive: DestructiveFinding[];
  forbidden: ForbiddenStatement[];
  /** Unique indexes this migration creates (lower-cased), so a later migration's DROP INDEX is judged right. */
  createsUniqueIndexes: string[];
}

/** Says whether an index (lower-cased name) is unique; undefined when the index is unknown. */
export type UniqueIndexLookup = (index: string) => boolean | undefined;

const nameOf = (t: SqlToken | undefined): string => (t === undefined ? '?' : t.kind === 'word' ? t.text : t.value);

/** The name after optional "schema.", returning it and the index after it. */
function qualifiedName(tokens: SqlToken[], k: number): { name: string; next: number } {
  if (tokens[k + 1]?.text === '.') return { name: nameOf(tokens[k + 2]), next: k + 3 };
  return { name: nameOf(tokens[k]), next: k + 1 };
}

function skipIfExists(tokens: SqlToken[], k: number): number {
  return isWord(tokens[k], 'IF') && isWord(tokens[k + 1], 'EXISTS') ? k + 2 : k;
}

/** True when a WHERE appears outside any parentheses from `from` on. */
function hasTopLevelWhere(tokens: SqlToken[], from: number): boolean {
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && isWord(t, 'WHERE')) return true;
  }
  return false;
}

/** Skips a leading WITH clause (common table expressions) to the statement's verb. */
function verbIndex(tokens: SqlToken[]): number {
  if (!isWord(tokens[0], 'WITH')) return 0;
  let depth = 0;
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && isWord(t, 'DELETE', 'UPDATE', 'INSERT', 'REPLACE', 'SELECT')) return k;
  }
  return 0;
}

function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

/**
 * Splits and judges one migration. `uniqueIndex` answers for indexes that
 * exist in the database (or were created by an earlier migration).
 */
export function analyzeMigration(sql: string, uniqueIndex: UniqueIndexLookup = () => undefined): MigrationAnalysis {
  const statements = splitSqlStatements(sql);
  const destructive: DestructiveFinding[] = [];
  const forbidden: ForbiddenStatement[] = [];
  const createsUniqueIndexes: string[] = [];
  const created = new Set<string>();
  statements.forEach((s, i) => {
    const t = s.tokens;
    const statement = i + 1;
    const add = (kind: DestructiveKind, target: string): void => {
      destructive.push({ kind, statement, line: s.line, target, sql: shorten(s.text) });
    };
    const first = t[0];
    if (isWord(first, 'BEGIN', 'COMMIT', 'END', 'VACUUM', 'ATTACH', 'DETACH') || (isWord(first, 'ROLLBACK') && !t.some((x) => isWord(x, 'TO')))) {
      forbidden.push({ statement, line: s.line, keyword: first!.value });
      return;
    }
    if (isWord(first, 'CREATE')) {
      if (isWord(t[1], 'UNIQUE') && isWord(t[2], 'INDEX')) {
        const { name } = qualifiedName(t, skipIfNotExists(t, 3));
        createsUniqueIndexes.push(name.toLowerCase());
        created.add(name.toLowerCase());
      }
      return;
    }
    if (isWord(first, 'DROP')) {
      if (isWord(t[1], 'TABLE')) {
        add('drop-table', qualifiedName(t, skipIfExists(t, 2)).name);
      } else if (isWord(t[1], 'INDEX')) {
        const { name } = qualifiedName(t, skipIfExists(t, 2));
        if (created.has(name.toLowerCase()) || uniqueIndex(name.toLowerCase()) === true) add('drop-unique-index', name);
      }
      return;
    }
    if (isWord(first, 'ALTER') && isWord(t[1], 'TABLE')) {
      const { name, next } = qualifiedName(t, 2);
      if (isWord(t[next], 'RENAME')) add('rename', name);
      else if (isWord(t[next], 'DROP')) add('drop-column', `${name}.${nameOf(isWord(t[next + 1], 'COLUMN') ? t[next + 2] : t[next + 1])}`);
      return;
    }
    const v = verbIndex(t);
    if (isWord(t[v], 'DELETE') && isWord(t[v + 1], 'FROM')) {
      if (!hasTopLevelWhere(t, v + 2)) add('delete-without-where', qualifiedName(t, v + 2).name);
    } else if (isWord(t[v], 'UPDATE')) {
      let k = v + 1;
      if (isWord(t[k], 'OR')) k += 2;
      if (!hasTopLevelWhere(t, k)) add('update-without-where', qualifiedName(t, k).name);
    }
  });
  return { statements, destructive, forbidden, createsUniqueIndexes };
}

function skipIfNotExists(tokens: SqlToken[], k: number): number {
  return isWord(tokens[k], 'IF') && isWord(tokens[k + 1], 'NOT') && isWord(tokens[k + 2], 'EXISTS') ? k + 3 : k;
}

export function describeFinding(f: DestructiveFinding): string {
  const what: Record<DestructiveKind, string> = {
    'drop-table': 'drops table',
    'drop-column': 'drops column',
    rename: 'renames table or column of',
    'drop-unique-index': 'drops unique index',
    'delete-without-where': 'deletes every row of',
    'update-without-where': 'updates every row of',
  };
  return `statement ${f.statement} (line ${f.line}) ${what[f.kind]} ${f.target}`;
}

/** Throws MIGRATION_FAILED for statements Airlock will not run inside its per-migration transaction. */
export function checkForbidden(migrationId: string, path: string, analysis: MigrationAnalysis): void {
  const f = analysis.forbidden[0];
  if (!f) return;
  throw new AirlockError('MIGRATION_FAILED', `migration ${migrationId}: statement ${f.statement} (line ${f.line}) is ${f.keyword}; Airlock runs each migration file in one transaction of its own, so a migration must not begin, end, attach or vacuum`, {
    path,
    details: { migration: migrationId, statement: f.statement, line: f.line, keyword: f.keyword },
  });
}
