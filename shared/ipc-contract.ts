// The one declaration of every IPC channel (DESIGN §2 rule 2): its request and
// response schemas and the events it may emit while it runs. Everything else is
// derived from this object: the preload's window.airlock (Electron), the
// WebSocket bridge (console mode), the renderer's typed client, the main-side
// dispatcher that parses requests and checks responses, and the wiring test
// that proves every channel is registered. To add a screen's backend (plan,
// install, evidence …), add its channels here and a handler in
// electron/services/airlock-handlers.ts; the compiler then asks for the rest.
import { z } from 'zod';
import type { ErrorPayload } from './airlock-error.ts';
import { preflightReportSchema } from './preflight.ts';
import {
  errorPayloadSchema,
  kitCandidateSchema,
  kitHandleIdSchema,
  kitScanSchema,
  kitVerificationSchema,
  operationIdSchema,
  progressEventSchema,
} from './ipc-kit-schemas.ts';
import { importResultSchema, releaseDetailSchema, releaseDiffSchema, releaseRefSchema, releaseSummarySchema } from './ipc-registry-schemas.ts';
import { addKeylessRequestSchema, addKeyRequestSchema, removeTrustEntryRequestSchema, trustSettingsSchema } from './ipc-trust-schemas.ts';
import {
  installPlanResultSchema,
  installResultSchema,
  installRootSchema,
  installRunRequestSchema,
  installStatusSchema,
  operationStepsEventSchema,
  releasesListSchema,
  rollbackPlanResultSchema,
  rollbackResultSchema,
  rollbackRunRequestSchema,
} from './ipc-install-schemas.ts';
import {
  auditListRequestSchema,
  auditListSchema,
  auditStatusSchema,
  evidenceExportRequestSchema,
  evidenceExportResultSchema,
  evidenceHandleSchema,
  workstationKeySchema,
} from './ipc-evidence-schemas.ts';

export const APP_MODES = ['electron', 'console'] as const;
export type AppMode = (typeof APP_MODES)[number];

const empty = z.object({}).strict();
const kitRequest = z.object({ kit: kitHandleIdSchema }).strict();
const operationRequest = z.object({ kit: kitHandleIdSchema, operationId: operationIdSchema }).strict();

export const appInfoSchema = z.object({
  name: z.literal('Airlock'),
  version: z.string(),
  mode: z.enum(APP_MODES),
  platform: z.string(),
  dataDir: z.string(),
  /** Folders searched for kits besides removable drives (console mode: incoming/ and --kits DIR). */
  kitFolders: z.array(z.string()),
  capabilities: z.object({
    /** Native open dialogs (Electron only). */
    nativeDialog: z.boolean(),
    /** Dropping a kit file onto the window (Electron only: a browser never reveals a dropped file's path). */
    dropFiles: z.boolean(),
    /** Opening a folder in the system file manager (Electron only). */
    openFolder: z.boolean(),
  }),
});

/** Events a running operation may emit, each tagged with the operation id the client chose. */
export const IPC_EVENTS = {
  'operation.progress': z.object({ operationId: operationIdSchema, progress: progressEventSchema }),
  /** An install's or rollback's recorded steps, each time one starts or ends. */
  'operation.steps': operationStepsEventSchema,
} as const;
export type IpcEventName = keyof typeof IPC_EVENTS;
export type IpcEventPayload<E extends IpcEventName> = z.output<(typeof IPC_EVENTS)[E]>;

export interface ChannelDef {
  summary: string;
  request: z.ZodType;
  response: z.ZodType;
  /** Events the handler may emit while the request runs. */
  events?: readonly IpcEventName[];
  /**
   * Reachable from the page only through a dedicated preload function, never
   * through invoke(): the drop handler turns File objects into paths in the
   * preload, so page script cannot name arbitrary paths.
   */
  preloadOnly?: boolean;
}

export const IPC_CONTRACT = {
  'app.info': {
    summary: 'what this Airlock is and what the current face can do',
    request: empty,
    response: appInfoSchema,
  },
  'app.openDataDir': {
    summary: 'open the data folder in the system file manager (desktop app only)',
    request: empty,
    response: z.object({ opened: z.boolean() }),
  },
  'kits.scan': {
    summary: 'look for kits on removable drives and in the kit folders',
    request: empty,
    response: kitScanSchema,
  },
  'kits.choose': {
    summary: 'native open dialog for a kit file or an unpacked kit folder (desktop app only)',
    request: z.object({ kind: z.enum(['file', 'folder']) }).strict(),
    response: z.object({ kit: kitCandidateSchema.nullable() }),
  },
  'kits.dropped': {
    summary: 'register kit files dropped on the window (desktop app only; paths come from the preload)',
    request: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(16) }).strict(),
    response: z.object({ kits: z.array(kitCandidateSchema), rejected: z.array(z.object({ name: z.string(), reason: z.string() })) }),
    preloadOnly: true,
  },
  'kit.verify': {
    summary: 'verify a kit fully (signature, every digest, kit.json, OCI images); writes nothing',
    request: operationRequest,
    response: kitVerificationSchema,
    events: ['operation.progress'],
  },
  'kit.preflight': {
    summary: "check this host against a verified kit's requirements",
    request: kitRequest,
    response: preflightReportSchema,
  },
  'kit.import': {
    summary: 'verify the kit again while importing it into the local registry',
    request: operationRequest,
    response: importResultSchema,
    events: ['operation.progress'],
  },
  'operation.cancel': {
    summary: 'cancel a running verify or import, or an install before its point of no return (the switch)',
    request: z.object({ operationId: operationIdSchema }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  'registry.list': {
    summary: 'releases in the local registry',
    request: empty,
    response: z.object({ releases: z.array(releaseSummarySchema) }),
  },
  'registry.show': {
    summary: 'one release: files, images, SBOM packages, attestations, migrations',
    request: releaseRefSchema.strict(),
    response: releaseDetailSchema,
  },
  'registry.diff': {
    summary: 'what changes between two releases',
    request: z.object({ from: releaseRefSchema, to: releaseRefSchema }).strict(),
    response: releaseDiffSchema,
  },
  'trust.get': {
    summary: 'the trust policy: publishers, pinned keys, keyless identities',
    request: empty,
    response: trustSettingsSchema,
  },
  'trust.addKey': {
    summary: "pin a publisher's public key (PEM text)",
    request: addKeyRequestSchema,
    response: trustSettingsSchema,
  },
  'trust.addKeyless': {
    summary: 'trust a keyless signing identity (issuer + exact subject or anchored pattern)',
    request: addKeylessRequestSchema,
    response: trustSettingsSchema,
  },
  'trust.remove': {
    summary: "remove one of a publisher's keys or keyless identities",
    request: removeTrustEntryRequestSchema,
    response: trustSettingsSchema,
  },
  'settings.installRoot': {
    summary: 'the install root main installs into, and whether the window may change it',
    request: empty,
    response: installRootSchema,
  },
  'settings.chooseInstallRoot': {
    summary: 'choose the install root with the native folder dialog (desktop app only)',
    request: empty,
    response: installRootSchema,
  },
  'workstation.key': {
    summary: 'the workstation key that signs evidence bundles (made on first use): its fingerprint',
    request: empty,
    response: workstationKeySchema,
  },
  'install.plan': {
    summary: 'what installing an imported release into the install root would do (with a fresh preflight); changes nothing',
    request: z.object({ release: releaseRefSchema.strict() }).strict(),
    response: installPlanResultSchema,
  },
  'install.run': {
    summary: 'install the planned release: back up, write, migrate, switch, health-check, commit or roll back (in a worker)',
    request: installRunRequestSchema,
    response: installResultSchema,
    events: ['operation.progress', 'operation.steps'],
  },
  'install.status': {
    summary: 'the install root: active release, retained releases, last operation',
    request: empty,
    response: installStatusSchema,
  },
  'releases.list': {
    summary: 'the installed and retained releases of the install root and its history of operations',
    request: empty,
    response: releasesListSchema,
  },
  'rollback.plan': {
    summary: 'what returning to a retained release would restore; changes nothing',
    request: z.object({ to: z.string().min(1).max(128) }).strict(),
    response: rollbackPlanResultSchema,
  },
  'rollback.run': {
    summary: 'return to a retained release and the database backup taken when it was left (in a worker)',
    request: rollbackRunRequestSchema,
    response: rollbackResultSchema,
    events: ['operation.progress', 'operation.steps'],
  },
  'evidence.export': {
    summary: "write one operation's evidence bundle (JSON, signed checksums, report.pdf) into the data folder",
    request: evidenceExportRequestSchema,
    response: evidenceExportResultSchema,
  },
  'evidence.openFolder': {
    summary: "open an exported evidence bundle's folder in the system file manager (desktop app only)",
    request: z.object({ handle: evidenceHandleSchema }).strict(),
    response: z.object({ opened: z.boolean() }),
  },
  'audit.status': {
    summary: 'check the audit chain: OK, or the first record that does not check out; and its head',
    request: empty,
    response: auditStatusSchema,
  },
  'audit.list': {
    summary: 'audit records, newest first, one page at a time',
    request: auditListRequestSchema,
    response: auditListSchema,
  },
} as const satisfies Record<string, ChannelDef>;

export type IpcChannel = keyof typeof IPC_CONTRACT;
export const IPC_CHANNELS = Object.keys(IPC_CONTRACT) as IpcChannel[];
/** Channels page script may call through invoke(). */
export type InvokableChannel = { [C in IpcChannel]: (typeof IPC_CONTRACT)[C] extends { preloadOnly: true } ? never : C }[IpcChannel];
export type IpcRequest<C extends IpcChannel> = z.input<(typeof IPC_CONTRACT)[C]['request']>;
export type IpcResponse<C extends IpcChannel> = z.output<(typeof IPC_CONTRACT)[C]['response']>;

/** What every invoke resolves to: errors travel as data ({code, message, remedy …}), never as thrown exceptions. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

export const ipcErrorResultSchema = z.object({ ok: z.literal(false), error: errorPayloadSchema });

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(IPC_CONTRACT, value);
}

export function isInvokableChannel(value: unknown): value is InvokableChannel {
  return isIpcChannel(value) && !(IPC_CONTRACT[value] as ChannelDef).preloadOnly;
}

export function isIpcEventName(value: unknown): value is IpcEventName {
  return typeof value === 'string' && Object.hasOwn(IPC_EVENTS, value);
}

/** The Electron ipc channel name for a contract channel; prefixed so nothing else on ipcMain can collide. */
export function electronChannelName(channel: IpcChannel): string {
  return `airlock:${channel}`;
}

export function electronEventName(event: IpcEventName): string {
  return `airlock:event:${event}`;
}

/**
 * window.airlock: the same surface in both faces. The preload implements it
 * over ipcRenderer; in console mode renderer/api/websocket-bridge.ts implements
 * it over a WebSocket. Untyped at the wire; renderer/api/airlock-client.ts
 * adds the types derived from IPC_CONTRACT.
 */
export interface AirlockBridge {
  readonly mode: AppMode;
  invoke(channel: InvokableChannel, request: unknown): Promise<IpcResult<unknown>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: IpcEventName, listener: (payload: unknown) => void): () => void;
  /** Desktop app only: registers dropped kit files (their paths never reach page script). */
  dropFiles?(files: readonly File[]): Promise<IpcResult<unknown>>;
}
