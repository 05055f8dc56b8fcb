// Throwaway SSH hosts for tests and benchmarks: one real sshd per host on loopback, with generated
// ed25519 host and client keys, a known_hosts file, and a dedicated unprivileged user that exists only
// for these sshd processes. Each sshd runs in a private mount namespace (`unshare --mount`) where copies
// of /etc/passwd, /etc/group, /etc/shadow and a private /etc/sudoers are bind-mounted over the real
// ones, so sshd, the user's shell and sudo all see the test user, and the machine's /etc is untouched.
// The only change outside the fleet's directory is /run/sshd (sshd's privilege-separation directory),
// created (0755) when missing, as the openssh-server package does at boot.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from './processes.js';

export interface SshHost {
  name: string;
  address: string;
  port: number;
  pid: number;
}

export interface SshFleet {
  hosts: SshHost[];
  user: string;
  /** the test user's uid (and gid): owner of what it writes without become */
  uid: number;
  identityFile: string;
  knownHostsFile: string;
  dir: string;
  /** `-o ...` options for a plain `ssh` client to reach these hosts (BatchMode, IdentitiesOnly, UserKnownHostsFile, StrictHostKeyChecking=yes, IdentityFile) */
  sshOptions: string[];
  /** inventory variables for one host: ansible_connection ssh, ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file, ansible_ssh_common_args (UserKnownHostsFile=...) */
  inventoryVars(host: SshHost): Record<string, unknown>;
  /** Cuts the host's open connections from the server side (kills its sshd session processes), as a network cut would; the scripts they started keep running. */
  cutConnections(host: SshHost): Promise<void>;
  /** Processes running on the host other than its sshd and sessions (the scripts), as `PID ARGS`. */
  scripts(host: SshHost): string[];
  /** Stops one host's sshd (a host that goes down); stop() skips it afterwards. */
  stopHost(host: SshHost): Promise<void>;
  /** Kills exactly the sshd PIDs it started, waits until they are gone, removes dir. */
  stop(): Promise<void>;
}

export interface SshFleetOptions {
  /** sudo for the test user: without a password (default), only with one (sudo -n fails), or not at all */
  sudo?: 'nopasswd' | 'password' | 'none';
  /** give each host its own loopback address (127.0.0.2, .3, ...) instead of 127.0.0.1 */
  addresses?: boolean;
  /** a network namespace (`/proc/PID/ns/net`) the hosts run in: their addresses are its loopback, and a
   * client must run in it too (nsenter --net=...) */
  netns?: string;
  /** shell commands run as root in each host's mount namespace, after its account files are mounted and
   * before its sshd starts: private directories, a copy of /etc... */
  setup?: (host: string) => string;
}

export const sshTestUser = 'provtest';
/** The test user's password when sudo is 'password' (sudo -n still refuses: it never prompts). */
export const sshTestPassword = 'not-a-real-password';

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function mountNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/** Processes in the mount namespace: the sshd and the sessions it forked (they outlive a killed sshd). */
function namespaceMembers(namespace: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && mountNamespace(pid) === namespace);
}

async function stopPids(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 5000;
  for (const pid of pids) {
    while (alive(pid)) {
      if (Date.now() > deadline) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          break;
        }
      }
      await sleep(20);
    }
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Processes of the sshd's namespace: its sessions (`sshd: user...`) and what they run. */
function hostProcesses(pid: number): { pid: number; args: string }[] {
  const namespace = mountNamespace(pid);
  if (namespace === undefined || namespace === mountNamespace(process.pid)) return [];
  return namespaceMembers(namespace)
    .filter((p) => p !== pid && alive(p))
    .map((p) => ({ pid: p, args: commandLine(p) }));
}

/** Stops an sshd and every session it started: the processes of its private mount namespace. */
async function stopSshd(pid: number): Promise<void> {
  const namespace = mountNamespace(pid);
  // Only a namespace of its own: never the machine's (sshd may be gone and its PID reused).
  const own = namespace !== undefined && namespace !== mountNamespace(process.pid);
  await stopPids([pid]);
  if (own) await stopPids(namespaceMembers(namespace));
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server at address:port sends its SSH banner. */
async function waitForBanner(address: string, port: number, pid: number, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const banner = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port });
      socket.setTimeout(1000);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString('latin1').startsWith('SSH-2.0'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (banner) return;
    if (!alive(pid)) throw new Error(`sshd on ${address}:${port} exited: ${existsSync(log) ? readFileSync(log, 'utf8') : '(no log)'}`);
    if (Date.now() > deadline) throw new Error(`sshd on ${address}:${port} did not answer within 10 s`);
    await sleep(20);
  }
}

/** waitForBanner for a host in another network namespace: ssh-keyscan run in it gets the host's key. */
async function waitForBannerIn(netns: string, host: SshHost, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const keys = execFileSync('nsenter', [`--net=${netns}`, '--', 'ssh-keyscan', '-T', '1', '-p', String(host.port), host.address], {
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 3000,
      });
      if (keys.includes('ssh-ed25519')) return;
      throw new Error('no banner yet');
    } catch {
      if (!alive(host.pid)) throw new Error(`sshd on ${host.address}:${host.port} exited: ${existsSync(log) ? readFileSync(log, 'utf8') : '(no log)'}`);
      if (Date.now() > deadline) throw new Error(`sshd on ${host.address}:${host.port} did not answer within 10 s`);
      await sleep(50);
    }
  }
}

/** A uid and gid no account on this machine uses. */
function freeId(passwd: string, group: string): number {
  const used = new Set([...passwd.split('\n'), ...group.split('\n')].map((line) => Number(line.split(':')[2])));
  let id = 2917;
  while (used.has(id)) id++;
  return id;
}

/** The private copies of the account files, with the test user added. */
function accountFiles(dir: string, home: string, sudo: NonNullable<SshFleetOptions['sudo']>): { uid: number; files: Record<string, string> } {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  const shadow = readFileSync('/etc/shadow', 'utf8');
  const uid = freeId(passwd, group);
  // '*': no password, but not locked (sshd refuses public keys for a locked '!' account without PAM).
  const hash = sudo === 'password' ? run('openssl', ['passwd', '-6', '-stdin'], sshTestPassword).trim() : '*';
  const sudoers = [
    'Defaults env_reset',
    'Defaults !lecture',
    'Defaults !fqdn',
    // no pty over `ssh host command`; sudo's use_pty would try to allocate one
    'Defaults !use_pty',
    'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
    'root ALL=(ALL:ALL) ALL',
    ...(sudo === 'nopasswd' ? [`${sshTestUser} ALL=(ALL:ALL) NOPASSWD: ALL`] : sudo === 'password' ? [`${sshTestUser} ALL=(ALL:ALL) ALL`] : []),
    '',
  ].join('\n');
  const files = {
    passwd: `${passwd.trimEnd()}\n${sshTestUser}:x:${uid}:${uid}:provision test user:${home}:/bin/sh\n`,
    group: `${group.trimEnd()}\n${sshTestUser}:x:${uid}:\n`,
    shadow: `${shadow.trimEnd()}\n${sshTestUser}:${hash}:19000:0:99999:7:::\n`,
    sudoers,
  };
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), content, { mode: name === 'passwd' || name === 'group' ? 0o644 : name === 'sudoers' ? 0o440 : 0o640 });
  chownSync(
    join(dir, 'shadow'),
    0,
    Number(
      group
        .split('\n')
        .find((l) => l.startsWith('shadow:'))
        ?.split(':')[2] ?? 0,
    ),
  );
  return { uid, files };
}

function sshdConfig(dir: string, name: string, address: string, port: number): string {
  return [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${join(dir, `${name}.host_key`)}`,
    `PidFile ${join(dir, `${name}.pid`)}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin no',
    `AllowUsers ${sshTestUser}`,
    'UsePAM no',
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'AcceptEnv LANG LC_*',
    'Subsystem sftp internal-sftp',
    'MaxStartups 100:30:200',
    'MaxSessions 100',
    'LogLevel INFO',
    '',
  ].join('\n');
}

/** Starts `count` sshd hosts (see the file comment). Everything started is stopped again if a step fails. */
export async function startSshFleet(count: number, options: SshFleetOptions = {}): Promise<SshFleet> {
  const sudo = options.sudo ?? 'nopasswd';
  // Short: ssh control sockets and the like may live below it (108-byte Unix socket limit).
  const dir = mkdtempSync('/tmp/pv-sshd-');
  chmodSync(dir, 0o755);
  const hosts: SshHost[] = [];
  const stopped = new Set<number>();
  const stop = async () => {
    await Promise.all(hosts.filter((h) => !stopped.has(h.pid)).map((h) => stopSshd(h.pid)));
    for (const h of hosts) stopped.add(h.pid);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
    const home = join(dir, 'home');
    mkdirSync(home, { mode: 0o755 });
    const { uid } = accountFiles(dir, home, sudo);
    chownSync(home, uid, uid);
    const identityFile = join(dir, 'client_key');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'provision-test-client', '-f', identityFile]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`), { mode: 0o644 });
    const knownHostsFile = join(dir, 'known_hosts');
    const known: string[] = [];

    for (let i = 0; i < count; i++) {
      const name = `host${i + 1}`;
      const address = options.addresses ? `127.0.0.${i + 2}` : '127.0.0.1';
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, `${name}.host_key`)]);
      const port = await freePort(address);
      writeFileSync(join(dir, `${name}.sshd_config`), sshdConfig(dir, name, address, port));
      const log = join(dir, `${name}.log`);
      const mounts = [
        ...['passwd', 'group', 'shadow', 'sudoers'].map((f) => `mount --bind ${join(dir, f)} /etc/${f}`),
        ...(options.setup
          ? [
              `{ ${options.setup(name)}
}`,
            ]
          : []),
      ].join(' && ');
      // unshare and setpriv exec in place: the PID we get is sshd's own. --pdeathsig stops sshd if the
      // test process dies without running its clean-up.
      // nsenter execs in place too.
      const netns = options.netns ? ['nsenter', `--net=${options.netns}`, '--'] : [];
      const child = spawn(
        netns[0] ?? 'unshare',
        [
          ...netns.slice(1),
          ...(netns.length ? ['unshare'] : []),
          '--mount',
          '--propagation',
          'private',
          '--',
          'setpriv',
          '--pdeathsig',
          'TERM',
          '--',
          '/bin/sh',
          '-c',
          `${mounts} && exec /usr/sbin/sshd -D -e -f "$1" 2>>"$2"`,
          'sshd',
          join(dir, `${name}.sshd_config`),
          log,
        ],
        { stdio: 'ignore', detached: true },
      );
      child.unref();
      if (child.pid === undefined) throw new Error('cannot start unshare');
      child.on('error', () => {});
      hosts.push({ name, address, port, pid: child.pid });
      known.push(
        `[${address}]:${port} ${readFileSync(join(dir, `${name}.host_key.pub`), 'utf8')
          .trim()
          .split(' ')
          .slice(0, 2)
          .join(' ')}`,
      );
    }
    writeFileSync(knownHostsFile, `${known.join('\n')}\n`);
    await Promise.all(
      hosts.map((h) =>
        options.netns ? waitForBannerIn(options.netns, h, join(dir, `${h.name}.log`)) : waitForBanner(h.address, h.port, h.pid, join(dir, `${h.name}.log`)),
      ),
    );

    const sshOptions = [
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${knownHostsFile}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `IdentityFile=${identityFile}`,
    ];
    return {
      hosts,
      user: sshTestUser,
      identityFile,
      knownHostsFile,
      dir,
      sshOptions,
      inventoryVars: (host) => ({
        ansible_connection: 'ssh',
        ansible_host: host.address,
        ansible_port: host.port,
        ansible_user: sshTestUser,
        ansible_ssh_private_key_file: identityFile,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHostsFile} -o IdentitiesOnly=yes`,
      }),
      uid,
      cutConnections: async (host) => {
        const sessions = hostProcesses(host.pid).filter((p) => p.args.startsWith('sshd: '));
        for (const session of sessions) {
          try {
            process.kill(session.pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        while (sessions.some((s) => alive(s.pid))) await sleep(20);
      },
      scripts: (host) =>
        hostProcesses(host.pid)
          .filter((p) => !p.args.startsWith('sshd: '))
          .map((p) => `${p.pid} ${p.args}`),
      stopHost: async (host) => {
        await stopSshd(host.pid);
        stopped.add(host.pid);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
