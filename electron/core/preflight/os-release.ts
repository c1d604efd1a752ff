// os-release(5) parsing. The file is a list of shell-style assignments, so values
// may be double-quoted (with backslash escapes), single-quoted or bare, and
// comments and blank lines occur. Only what is needed to name the host is read.

export interface OsRelease {
  /** ID in lower case; "linux" when absent, as os-release(5) prescribes. */
  id: string;
  /** ID_LIKE split on spaces, lower case. */
  idLike: string[];
  /** VERSION_ID as written ("9.4", "22.04", "12"); undefined on rolling releases. */
  versionId: string | undefined;
  /** PRETTY_NAME, else NAME and VERSION joined, else "Linux". */
  prettyName: string;
  /** Every assignment, for anything a later check wants. */
  fields: Record<string, string>;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

function unquote(raw: string): string {
  const value = raw.trim();
  if (value.startsWith('"')) {
    let out = '';
    for (let i = 1; i < value.length; i++) {
      const ch = value[i]!;
      if (ch === '\\' && i + 1 < value.length) {
        const next = value[i + 1]!;
        // Shell double quotes keep the backslash unless it escapes one of these.
        if ('$"\\`'.includes(next)) {
          out += next;
          i++;
          continue;
        }
        out += ch;
        continue;
      }
      if (ch === '"') return out;
      out += ch;
    }
    return out;
  }
  if (value.startsWith("'")) {
    const end = value.indexOf("'", 1);
    return end === -1 ? value.slice(1) : value.slice(1, end);
  }
  // A bare value ends at the first unescaped blank; a trailing comment is not part of it.
  const bare = /^(\S*)/.exec(value)?.[1] ?? '';
  return bare.replace(/\\(.)/g, '$1');
}

export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) continue;
    fields[m[1]!] = unquote(m[2]!);
  }
  const id = (fields.ID ?? '').trim().toLowerCase() || 'linux';
  const idLike = (fields.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter((s) => s !== '');
  const versionId = fields.VERSION_ID?.trim() || undefined;
  const joined = [fields.NAME, fields.VERSION].filter((s) => s !== undefined && s !== '').join(' ');
  const prettyName = fields.PRETTY_NAME?.trim() || joined || 'Linux';
  return { id, idLike, versionId, prettyName, fields };
}
