// Named points of the install and rollback paths where the crash-safety test
// stops the process (SIGKILL), in the order an operation passes them.
// Production passes no hook; the CLI arms one only when AIRLOCK_CRASH_AT
// names a point (see crashHookFromEnv), which nothing sets outside tests.

export const INSTALL_CRASH_POINTS = [
  'install-journal-started',
  'install-backup-written',
  'install-backed-up',
  'install-materialize-mid',
  'install-materialized',
  'install-placing',
  'install-placed',
  'install-migration-mid',
  'install-migration-applied',
  'install-migrated',
  'install-switched',
  'install-verified',
  'install-rolling-back',
  'install-undo-restored',
  'install-committed',
  'install-state-written',
  'install-catalog-committed',
  'install-cleaned',
] as const;

export const ROLLBACK_CRASH_POINTS = [
  'rollback-journal-started',
  'rollback-backed-up',
  'rollback-restore-mid',
  'rollback-restored',
  'rollback-switched',
  'rollback-verified',
  'rollback-committed',
  'rollback-catalog-committed',
] as const;

export const RECOVERY_CRASH_POINTS = ['recovery-restored', 'recovery-switched'] as const;

export type InstallCrashPoint = (typeof INSTALL_CRASH_POINTS)[number] | (typeof ROLLBACK_CRASH_POINTS)[number] | (typeof RECOVERY_CRASH_POINTS)[number];

export type InstallCrashHook = (point: InstallCrashPoint) => void;

export const CRASH_ENV = 'AIRLOCK_CRASH_AT';

const ALL_POINTS: readonly string[] = [...INSTALL_CRASH_POINTS, ...ROLLBACK_CRASH_POINTS, ...RECOVERY_CRASH_POINTS];

/**
 * A hook that SIGKILLs this process the first time it reaches the point named
 * by AIRLOCK_CRASH_AT (optionally "point#n" for the n-th time); undefined when
 * the variable is unset.
 */
export function crashHookFromEnv(env: NodeJS.ProcessEnv, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): InstallCrashHook | undefined {
  const spec = env[CRASH_ENV];
  if (spec === undefined || spec === '') return undefined;
  const [point, nth] = spec.split('#');
  if (point === undefined || !ALL_POINTS.includes(point)) return undefined;
  const wanted = nth === undefined ? 1 : Number(nth);
  let seen = 0;
  return (p) => {
    if (p !== point) return;
    seen++;
    if (seen === wanted) kill();
  };
}
