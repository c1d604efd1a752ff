// Every CLI command, one line each. The help overview lists them in this order.
import type { CommandSpec } from '../cli-types.ts';
import { kitBuildCommand } from './kit-build.ts';
import { kitVerifyCommand } from './kit-verify.ts';
import { kitImportCommand } from './kit-import.ts';
import { kitListCommand } from './kit-list.ts';
import { kitShowCommand } from './kit-show.ts';
import { kitDiffCommand } from './kit-diff.ts';
import { verifyBlobCommand } from './verify-blob.ts';
import { preflightCommand } from './preflight.ts';
import { installCommand } from './install.ts';
import { rollbackCommand } from './rollback.ts';
import { statusCommand } from './status.ts';
import { registryPushCommand } from './registry-push.ts';
import { auditVerifyCommand } from './audit-verify.ts';
import { auditListCommand } from './audit-list.ts';
import { evidenceExportCommand } from './evidence-export.ts';
import { evidenceVerifyCommand } from './evidence-verify.ts';
import { evidenceKeyCommand } from './evidence-key.ts';

export const COMMANDS: CommandSpec[] = [
  kitBuildCommand,
  kitVerifyCommand,
  kitImportCommand,
  kitListCommand,
  kitShowCommand,
  kitDiffCommand,
  verifyBlobCommand,
  preflightCommand,
  installCommand,
  rollbackCommand,
  statusCommand,
  registryPushCommand,
  auditVerifyCommand,
  auditListCommand,
  evidenceExportCommand,
  evidenceVerifyCommand,
  evidenceKeyCommand,
];
