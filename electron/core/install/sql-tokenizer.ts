// A small SQLite tokenizer: enough to split a migration file into statements
// and to see which keywords a statement really holds. Comments, string
// literals, blob literals and quoted identifiers are tokens of their own, so a
// "DROP TABLE" inside a comment or a string never counts, and a ";" inside one
// never ends a statement.
import { AirlockError } from '../../../shared/airlock-error.ts';

export type SqlTokenKind = 'word' | 'identifier' | 'string' | 'number' | 'punct' | 'variable';

export interface SqlToken {
  kind: SqlTokenKind;
  /** The source text of the token. */
  text: string;
  /** For words: the upper-cased text; for quoted identifiers: the unquoted name. */
  value: string;
  start: number;
  end: number;
}

export interface SqlStatement {
  /** The statement's source text, from its first token to its terminating ";" (inclusive, when present). */
  text: string;
  tokens: SqlToken[];
  /** 1-based line of the first token, for messages. */
  line: number;
}

const isWordStart = (c: string): boolean => /[A-Za-z_\u0080-\uffff]/.test(c);
const isWordChar = (c: string): boolean => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

function unterminated(what: string, start: number, source: string): AirlockError {
  const line = source.slice(0, start).split('\n').length;
  return new AirlockError('MIGRATION_FAILED', `unterminated ${what} starting on line ${line}`, { details: { line } });
}

/** Splits SQL text into tokens, dropping whitespace and comments. */
export function tokenizeSql(source: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const n = source.length;
  const push = (kind: SqlTokenKind, start: number, end: number, value?: string): void => {
    const text = source.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, start, end });
  };
  const quoted = (start: number, close: string, kind: SqlTokenKind, what: string): number => {
    // SQL doubles the closing quote to escape it ('it''s', "a""b").
    let j = start + 1;
    let value = '';
    for (;;) {
      if (j >= n) throw unterminated(what, start, source);
      const c = source[j]!;
      if (c === close) {
        if (close !== ']' && source[j + 1] === close) {
          value += close;
          j += 2;
          continue;
        }
        push(kind, start, j + 1, value);
        return j + 1;
      }
      value += c;
      j++;
    }
  };
  while (i < n) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && source[i + 1] === '-') {
      const nl = source.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && source[i + 1] === '*') {
      // SQLite accepts an unterminated block comment at the end of input.
      const close = source.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
    } else if (c === "'") {
      i = quoted(i, "'", 'string', 'string literal');
    } else if ((c === 'x' || c === 'X') && source[i + 1] === "'") {
      const end = quoted(i + 1, "'", 'string', 'blob literal');
      tokens[tokens.length - 1] = { ...tokens[tokens.length - 1]!, start: i, text: source.slice(i, end) };
      i = end;
    } else if (c === '"') {
      i = quoted(i, '"', 'identifier', 'quoted identifier');
    } else if (c === '`') {
      i = quoted(i, '`', 'identifier', 'quoted identifier');
    } else if (c === '[') {
      i = quoted(i, ']', 'identifier', 'bracketed identifier');
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(source[j]!)) {
        // Exponent signs: 1e+5
        if ((source[j] === 'e' || source[j] === 'E') && (source[j + 1] === '+' || source[j + 1] === '-')) j++;
        j++;
      }
      push('number', i, j);
      i = j;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(source[j]!)) j++;
      push('word', i, j, source.slice(i, j).toUpperCase());
      i = j;
    } else if (c === '?' || c === ':' || c === '@' || c === '$') {
      let j = i + 1;
      while (j < n && isWordChar(source[j]!)) j++;
      push('variable', i, j);
      i = j;
    } else {
      // Two-character operators are kept together so they never look like two tokens.
      const two = source.slice(i, i + 2);
      const len = ['<=', '>=', '<>', '!=', '==', '||', '<<', '>>', '->'].includes(two) ? (source.slice(i, i + 3) === '->>' ? 3 : 2) : 1;
      push('punct', i, i + len);
      i += len;
    }
  }
  return tokens;
}

const isWord = (t: SqlToken | undefined, ...words: string[]): boolean => t !== undefined && t.kind === 'word' && words.includes(t.value);

/** True for CREATE [TEMP|TEMPORARY] TRIGGER, whose body holds ";" that do not end the statement. */
function startsTrigger(tokens: SqlToken[], from: number): boolean {
  if (!isWord(tokens[from], 'CREATE')) return false;
  let k = from + 1;
  if (isWord(tokens[k], 'TEMP', 'TEMPORARY')) k++;
  return isWord(tokens[k], 'TRIGGER');
}

/**
 * Splits SQL into statements at top-level ";". A trigger body
 * (CREATE TRIGGER … BEGIN … END) is one statement; CASE … END inside it is
 * tracked so its END does not close the body.
 */
export function splitSqlStatements(source: string): SqlStatement[] {
  const tokens = tokenizeSql(source);
  const statements: SqlStatement[] = [];
  let begin = 0;
  while (begin < tokens.length) {
    if (tokens[begin]!.text === ';') {
      begin++;
      continue;
    }
    const trigger = startsTrigger(tokens, begin);
    let inBody = false;
    let caseDepth = 0;
    let bodyDone = false;
    let k = begin;
    for (; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (trigger && !bodyDone) {
        if (!inBody) {
          if (isWord(t, 'BEGIN')) inBody = true;
        } else if (isWord(t, 'CASE')) {
          caseDepth++;
        } else if (isWord(t, 'END')) {
          if (caseDepth > 0) caseDepth--;
          else bodyDone = true;
        }
        continue;
      }
      if (t.text === ';') break;
    }
    const last = tokens[Math.min(k, tokens.length - 1)]!;
    const first = tokens[begin]!;
    statements.push({
      text: source.slice(first.start, last.end),
      tokens: tokens.slice(begin, k),
      line: source.slice(0, first.start).split('\n').length,
    });
    begin = k + 1;
  }
  return statements;
}

export { isWord };
