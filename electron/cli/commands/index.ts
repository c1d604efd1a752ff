// Every CLI command, one line each. The help overview lists them in this order.
import type { CommandSpec } from '../cli-types.ts';
import { kitBuildCommand } from './kit-build.ts';
import { kitVerifyCommand } from './kit-verify.ts';
import { verifyBlobCommand } from './verify-blob.ts';
import { preflightCommand } from './preflight.ts';

export const COMMANDS: CommandSpec[] = [
  kitBuildCommand,
  kitVerifyCommand,
  verifyBlobCommand,
  preflightCommand,
];
