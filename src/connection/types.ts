export interface ScriptResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How bytes reach a host: the only place that touches one. Scripts travel on stdin. */
export interface Connection {
  run(script: string): Promise<ScriptResult>;
  close(): Promise<void>;
}

/** The host could not be reached at all (as opposed to a script failing on it). */
export class UnreachableError extends Error {}
