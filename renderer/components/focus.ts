// Focus management: when a screen or a step changes, focus moves to its main
// heading, so keyboard and screen-reader users start reading where the new
// content starts. The very first screen after loading is left alone so the
// page starts at the top (the skip link).
import { useEffect, useRef, type RefObject } from 'react';

let firstScreenShown = false;

export function useFocusOnMount<T extends HTMLElement>(enabled = true): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (!firstScreenShown) {
      firstScreenShown = true;
      return;
    }
    if (enabled) ref.current?.focus();
  }, [enabled]);
  return ref;
}

/** Focuses the element whenever `key` changes to a non-null value (a result or an error appearing). */
export function useFocusWhen<T extends HTMLElement>(key: unknown): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (key !== null && key !== undefined && key !== false) ref.current?.focus();
  }, [key]);
  return ref;
}
