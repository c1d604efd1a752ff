// Output of `reg query KEY [/v NAME]`: a key line, then one indented line per
// value, "    Name    REG_TYPE    data", with CRLF line ends. DWORDs print as 0x…
// hex. Type names are not localized; the surrounding messages are.

export interface RegValue {
  type: string;
  data: string;
}

const VALUE_LINE = /^ {2,}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/;

/** Values of the first key in the output; later keys (subkeys) are ignored. */
export function parseRegQuery(text: string): Map<string, RegValue> {
  const values = new Map<string, RegValue>();
  let keysSeen = 0;
  for (const line of text.split(/\r?\n/)) {
    if (/^HKEY_/i.test(line)) {
      keysSeen++;
      continue;
    }
    if (keysSeen > 1) break;
    const m = VALUE_LINE.exec(line);
    if (m) values.set(m[1]!.trim(), { type: m[2]!, data: (m[3] ?? '').trim() });
  }
  return values;
}

/** A REG_DWORD's number, or undefined when absent or not a DWORD. */
export function regDword(values: Map<string, RegValue>, name: string): number | undefined {
  const v = values.get(name);
  if (!v || (v.type !== 'REG_DWORD' && v.type !== 'REG_QWORD')) return undefined;
  const n = v.data.toLowerCase().startsWith('0x') ? parseInt(v.data.slice(2), 16) : parseInt(v.data, 10);
  return Number.isFinite(n) ? n : undefined;
}

export function regString(values: Map<string, RegValue>, name: string): string | undefined {
  const v = values.get(name);
  return v && v.data !== '' ? v.data : undefined;
}
