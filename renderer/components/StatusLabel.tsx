// A status is always a word and a symbol, never only a colour.
const LABELS = {
  pass: { icon: '✓', text: 'Pass' },
  warn: { icon: '!', text: 'Warning' },
  fail: { icon: '✕', text: 'Fails' },
  skip: { icon: '–', text: 'Not checked' },
} as const;

export function StatusLabel({ status }: { status: keyof typeof LABELS }) {
  const label = LABELS[status];
  return (
    <span className={`status status-${status}`}>
      <span className="status-icon" aria-hidden="true">
        {label.icon}
      </span>{' '}
      {label.text}
    </span>
  );
}
