import type { ReactNode } from 'react';

/** A definition list of label → value pairs. */
export function Facts({ items, className }: { items: Array<[string, ReactNode] | null | false>; className?: string }) {
  return (
    <dl className={`facts ${className ?? ''}`}>
      {items.filter((x): x is [string, ReactNode] => Boolean(x)).map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
