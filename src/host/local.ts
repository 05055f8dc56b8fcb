import { userInfo } from 'node:os';
import type { Become } from './become.js';
import { becomeFailure, scriptCommand } from './become.js';
import type { Deadline } from './process.js';
import { runProcess } from './process.js';
import type { Connection, ScriptResult } from './types.js';
import { interrupted, UnreachableError } from './types.js';

/** A local host: the same scripts, run by the local /bin/sh (through sudo -n with become). */
export class LocalConnection implements Connection {
  roundTrips = 0;
  private stopped = false;

  constructor(
    private readonly host = 'localhost',
    private readonly become?: Become,
    private readonly deadline?: Deadline,
  ) {}

  async run(script: string): Promise<ScriptResult> {
    if (this.stopped) throw new UnreachableError(interrupted);
    this.roundTrips++;
    const [file, ...args] = scriptCommand(this.become);
    const result = await runProcess(file!, args, script, this.deadline);
    const refused = becomeFailure(result, this.host, userInfo().username, this.become);
    if (refused) throw refused;
    return result;
  }

  async close(): Promise<void> {}

  /** Running local scripts are signalled with the other children (src/host/children.ts); no new one starts. */
  async stop(): Promise<void> {
    this.stopped = true;
  }
}
