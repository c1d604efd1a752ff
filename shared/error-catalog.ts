// The one table that turns an error code into plain words and a remedy.
// The CLI and the renderer both read it, so an admin sees the same advice in
// either face. Codes are a contract (KIT-FORMAT.md, DESIGN §3): never rename one.

export interface ErrorCatalogEntry {
  /** Short plain-language title. */
  title: string;
  /** What the person in front of the screen should do next. */
  remedy: string;
  /** CLI exit status: 1 = the operation ran and failed, 2 = usage error. */
  exit: 1 | 2;
}

const entry = (title: string, remedy: string, exit: 1 | 2 = 1): ErrorCatalogEntry => ({ title, remedy, exit });

export const ERROR_CATALOG = {
  // Container (KIT-FORMAT §1)
  KIT_NOT_FOUND: entry('Kit not found', 'Check the path; for a split kit give the .parts.json file or any .partNNN file.'),
  KIT_FORMAT: entry('Not a kit archive', 'Give a .kit.tar, .kit.tar.gz, .kit.tar.zst file, a split kit, or an unpacked kit directory.'),
  KIT_TRUNCATED: entry('Kit archive is truncated or corrupt', 'Copy the kit again from the original medium; the copy ends early or its compression is damaged.'),
  KIT_PART_MISSING: entry('Part of a split kit is missing', 'Copy every .partNNN file named in the .parts.json index into one folder.'),
  KIT_PART_DIGEST: entry('Part of a split kit is damaged', 'Copy the named part again from its medium; its checksum does not match the parts index.'),
  KIT_PARTS_INVALID: entry('Parts index is malformed', 'The .parts.json index is not a valid airlock.parts/v1 document; recreate it or obtain the kit again.'),
  // Entries (§2)
  KIT_ENTRY_TYPE: entry('Kit holds a forbidden entry type', 'Kits may hold only regular files and directories; ask the publisher to rebuild the kit without links or special files.'),
  KIT_ENTRY_MODE: entry('Kit holds a file with set-uid, set-gid or sticky bits', 'Ask the publisher to rebuild the kit with plain 0644/0755 modes.'),
  KIT_PATH_UNSAFE: entry('Kit holds an unsafe path', 'The named path could escape the install root or is not portable; ask the publisher to rename it and rebuild the kit.'),
  KIT_PATH_COLLISION: entry('Two kit entries collide', 'Two entries have the same path (or differ only in letter case); ask the publisher to rebuild the kit.'),
  // SHA256SUMS (§3)
  KIT_UNLISTED_FILE: entry('File not covered by SHA256SUMS', 'The kit holds a file its signed checksum list does not name; treat the kit as tampered and obtain it again.'),
  KIT_MISSING_FILE: entry('File listed in SHA256SUMS is missing', 'The kit is incomplete; copy it again from the original medium.'),
  KIT_DIGEST_MISMATCH: entry('File does not match its signed checksum', 'The named file was changed or damaged after signing; do not install this kit. Obtain a fresh copy from the publisher.'),
  KIT_SUMS_MALFORMED: entry('SHA256SUMS is malformed', 'SHA256SUMS must be GNU sha256sum output, sorted, with LF line ends; ask the publisher to rebuild the kit.'),
  // Signature (§4)
  KIT_UNSIGNED: entry('Kit is not signed', 'The kit has no SHA256SUMS.sigstore.json; Airlock never installs an unsigned kit. Ask the publisher for a signed kit.'),
  SIG_INVALID: entry('Signature is invalid', 'The signature does not match the signed content (a kit\'s SHA256SUMS or the given file); treat it as tampered and obtain it again from the publisher.'),
  SIG_UNTRUSTED: entry('Signer is not trusted', 'The signature is valid but made by a key or identity your trust policy does not list; add the publisher\'s key or identity to the policy only after checking it out of band.'),
  SIG_TLOG: entry('Too few transparency-log entries', 'The trust policy requires more transparency-log entries than the bundle carries; ask the publisher to sign with a transparency log or adjust the policy.'),
  SIG_TIMESTAMP: entry('Too few trusted timestamps', 'The trust policy requires more trusted timestamps than the bundle carries; ask the publisher for a timestamped signature or adjust the policy.'),
  // kit.json (§5)
  KIT_SCHEMA: entry('Kit format version not supported', 'This kit was made for a newer Airlock; upgrade Airlock or ask the publisher for an airlock.kit/v1 kit.'),
  KIT_MANIFEST_INVALID: entry('kit.json is invalid', 'Fix the named field in kit.json and rebuild the kit.'),
  // OCI (§6)
  OCI_LAYOUT_INVALID: entry('OCI image layout is invalid', 'The images/ folder must be an OCI Image Layout 1.0 (oci-layout, index.json, blobs/sha256); re-export the images.'),
  OCI_BLOB_DIGEST: entry('OCI blob does not match its digest', 'The named image blob was changed or damaged; re-export the images and rebuild the kit.'),
  OCI_BLOB_MISSING: entry('OCI blob is missing', 'An image manifest names a blob the kit does not hold; re-export the images and rebuild the kit.'),
  // Migrations and policy (§7, §8) — used by the install issue
  MIGRATION_CHANGED: entry('Migration changed after it was applied', 'A migration with this id was already applied with different contents; the publisher must ship a new migration id instead of editing an old one.'),
  MIGRATION_DESTRUCTIVE: entry('Migration is destructive', 'The migration drops or rewrites data; it runs only when marked destructive, with a major version bump and your explicit confirmation.'),
  KIT_DOWNGRADE: entry('Kit would downgrade the installed release', 'Install a newer version, or allow downgrades for this publisher in the trust policy.'),
  KIT_PUBLISHER_CHANGED: entry('Kit publisher changed', 'The installed release of this name was signed by another publisher identity; verify the change out of band before trusting the new publisher.'),
  // Pushing images to an OCI registry (airlock registry push)
  PUSH_FAILED: entry('Push to the registry failed', 'Check that the registry answers at the HOST:PORT given to --to and has free space; the message quotes the registry\'s own error. A lab registry without TLS needs --insecure-http.'),
  PUSH_AUTH: entry('Registry refused the credentials', 'Give --username and set AIRLOCK_REGISTRY_PASSWORD for an account allowed to push to these repositories; Airlock only sends credentials to a token service on the registry\'s own host.'),
  // Trust configuration
  POLICY_INVALID: entry('Trust policy is invalid', 'Fix the named field in the trust policy file (see docs/trust-policy.md for its format).'),
  KEY_INVALID: entry('Key file is not usable', 'Give a PEM public key (SPKI) for verification or a PKCS#8 P-256 private key for signing.'),
  TRUSTED_ROOT_INVALID: entry('Trusted root is invalid', 'Give a Sigstore trusted_root.json file (the pinned root for your Sigstore instance).'),
  BUNDLE_INVALID: entry('Sigstore bundle is malformed', 'The file is not a Sigstore bundle (media type v0.1, v0.2 or v0.3); obtain the bundle again.'),
  // Building kits
  BUILD_INPUT_INVALID: entry('Kit input folder is not valid', 'Fix the named file or field in the input folder; the builder refuses anything that would make an invalid kit.'),
  OUTPUT_EXISTS: entry('Output already exists', 'Choose another output path or remove the existing file first.'),
  // Local registry and catalog
  CATALOG_TOO_NEW: entry('Catalog is from a newer Airlock', 'This data folder was last used by a newer Airlock; upgrade Airlock, or use another --data-dir. The catalog was left untouched.'),
  RELEASE_CONFLICT: entry('Release already imported with other contents', 'A release with this name and version is already in the registry with a different SHA256SUMS; the publisher must ship a new version instead of rebuilding an old one.'),
  RELEASE_NOT_FOUND: entry('Release not in the registry', 'Check the NAME@VERSION against "airlock kit list", or import the kit first with "airlock kit import".'),
  REGISTRY_LOCKED: entry('Registry is busy', 'Another Airlock process (named in the message) is importing into this registry; wait for it to finish, or pass --wait SECONDS to queue behind it.'),
  INSUFFICIENT_SPACE: entry('Not enough free disk space', 'Free space on the named disk (or choose another --data-dir) and run the command again; nothing was changed.'),
  SBOM_INVALID: entry('SBOM in the kit is malformed', 'The named SBOM is not valid SPDX 2.3 JSON or CycloneDX 1.5+ JSON; the signature is fine, so this is a publisher defect: ask the publisher to rebuild the kit.'),
  // Audit chain and evidence bundles
  AUDIT_CHAIN_BROKEN: entry('Audit chain is broken', 'A record of the audit chain was edited, deleted, inserted or moved (the message names the first bad record). Keep the catalog as it is for investigation, compare it with the chain heads recorded in earlier evidence bundles, and report it to your security officer.'),
  OPERATION_NOT_FOUND: entry('Operation not in the catalog', 'Check the operation id against "airlock audit list" or the operations shown by "airlock status"; without --operation the latest finished operation is used.'),
  EVIDENCE_INVALID: entry('Evidence bundle does not check out', 'The named file of the evidence bundle was changed, added or removed after export, or its signature does not verify; obtain the bundle again from its source, or export it again on the workstation.'),
  // Installing releases (airlock install, rollback, status)
  UPGRADE_PATH_INVALID: entry('Kit cannot upgrade the installed release', 'The kit\'s requires.upgradeFrom range does not include the installed version; install the intermediate release it names first, then this one.'),
  ROLLBACK_UNAVAILABLE: entry('Rollback is not possible', 'The release or the database backup taken when it was left is missing or damaged (the message says which); choose another retained release with --to, or reinstall that version with "airlock install".'),
  MIGRATION_FAILED: entry('Database migration failed', 'The migration named in the message failed and the databases were restored from their backup; the previous release is still active. Send the message to the publisher.'),
  HEALTH_CHECK_FAILED: entry('Health check failed after the switch', 'The new release failed the named health check, so Airlock restored the databases and switched back to the previous release. Send the message to the publisher.'),
  PREFLIGHT_FAILED: entry('Host does not meet the kit\'s requirements', 'Run "airlock preflight" for the full report, fix the failing checks it lists, and install again.'),
  BACKUP_FAILED: entry('Database backup or restore failed', 'Stop the application that uses the named database and check the disk; if a restore failed, the message names the backup file to restore by hand, and "airlock status" shows the state.'),
  INSTALL_ROOT_LOCKED: entry('Install root is busy', 'Another Airlock process (named in the message) is working on this install root; wait for it to finish. If that process is gone for good, delete the lock file named in the message.'),
  INSTALL_ROOT_INVALID: entry('Install root is not in Airlock\'s layout', 'The named file or folder of the install root is not what Airlock wrote (or holds another app); choose an empty folder for --root, or repair the named file.'),
  INSTALL_ROOT_UNSET: entry('No install root chosen yet', 'Open Settings and choose the install root (the folder releases are installed into). In console mode, start "airlock serve" with --root DIR.'),
  PLAN_CHANGED: entry('The plan changed since you read it', 'Something changed between showing the plan and starting it (another install or rollback, a new import, the host or the trust policy). Nothing was changed; read the new plan and confirm again.'),
  // Desktop app and console mode
  TRUST_POLICY_MISSING: entry('No trusted publishers yet', 'Open Settings and add the publisher\'s public key (or keyless identity) after checking it out of band; Airlock verifies nothing without knowing whom to trust.'),
  KIT_HANDLE_UNKNOWN: entry('Kit selection has expired', 'Choose the kit again: Airlock only opens kits picked in a dialog, dropped on the window or found in this session\'s drive and folder scan.'),
  UNAVAILABLE: entry('Not available here', 'This action needs the desktop app; in console mode, put kits in a kit folder or on a removable drive and press "Look again".'),
  IPC_INVALID: entry('The window sent a malformed request', 'This is a defect in Airlock or the window was tampered with; restart Airlock and report the message if it happens again.'),
  // General
  USAGE: entry('Wrong command usage', 'Run the command with --help to see its arguments.', 2),
  IO_ERROR: entry('File system error', 'Check that the path exists, is readable or writable, and that the disk has free space.'),
  CANCELLED: entry('Cancelled', 'The operation was cancelled; nothing was changed. Run it again when ready.'),
  INTERNAL: entry('Internal error', 'This is a defect in Airlock; keep the output and report it.'),
} as const satisfies Record<string, ErrorCatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

export function describeError(code: ErrorCode): ErrorCatalogEntry {
  return ERROR_CATALOG[code];
}
