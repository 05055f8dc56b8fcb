// Reads a password from the terminal without echoing it (what Ansible's getpass does).

import { UsageError } from '../../../model/errors.js';

export function promptPassword(prompt: string): Promise<Buffer> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(Buffer.from(typed, 'utf8'));
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        // raw mode turns Ctrl-C into a character; it still means stop
        if (char === '\u0003') return done(new UsageError('interrupted while asking for the vault password'));
        if (char === '\u0004') return done(new UsageError('no vault password given (end of input)'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
