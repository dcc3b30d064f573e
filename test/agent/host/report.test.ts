import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  COMMAND_MAX_CHARS,
  commandLine,
  commMayMatch,
  cpuBusyPercent,
  isPathWithin,
  matchProcessName,
  parseMountinfo,
  parseProcessStat,
  parseSystemStat,
  parseVmRssBytes,
  pickHoldingMount,
  planFilesystems,
  PROCESSES_OF_INTEREST,
  processStateWord,
  toFilesystem,
  toProcessInfo,
  type MountEntry,
} from '../../../agent/host/report.js';

const names = PROCESSES_OF_INTEREST;

function mount(mountPoint: string, type = 'ext4', devId = `dev:${mountPoint}`, source = '/dev/vda1'): MountEntry {
  return { devId, mount: mountPoint, type, source, readOnly: false };
}

function flagged(plan: ReturnType<typeof planFilesystems>): string[] {
  return plan.filter((p) => p.holdsEtcdData).map((p) => p.entry.mount);
}

describe('parseMountinfo', () => {
  test('reads device id, mount point, type, source and ro, past optional fields', () => {
    const text = [
      '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
      '36 27 8:17 / /mnt/my\\040disk ro,noatime master:2 shared:3 - xfs /dev/sdb1 rw',
      '37 27 8:18 / /data rw - ext4 /dev/sdc1 ro,errors=remount-ro',
      'garbage line',
      '',
    ].join('\n');
    assert.deepEqual(parseMountinfo(text), [
      { devId: '254:0', mount: '/', type: 'ext4', source: '/dev/vda', readOnly: false },
      { devId: '8:17', mount: '/mnt/my disk', type: 'xfs', source: '/dev/sdb1', readOnly: true },
      { devId: '8:18', mount: '/data', type: 'ext4', source: '/dev/sdc1', readOnly: true },
    ]);
  });
});

describe('pickHoldingMount', () => {
  const mounts = [mount('/'), mount('/var'), mount('/var/lib/etcd'), mount('/var/lib/etcd-backup')];

  test('the longest mount point holding the path wins, nested mounts included', () => {
    assert.equal(pickHoldingMount(mounts, '/var/lib/etcd/member/snap'), 2);
    assert.equal(pickHoldingMount(mounts, '/var/lib/etcd'), 2);
    assert.equal(pickHoldingMount(mounts, '/var/log'), 1);
    assert.equal(pickHoldingMount(mounts, '/home'), 0);
  });

  test('a mount point is matched by whole path segments only', () => {
    assert.equal(pickHoldingMount([mount('/'), mount('/var/lib/etcd')], '/var/lib/etcd2'), 0);
    assert.equal(isPathWithin('/var/lib/etcd2', '/var/lib/etcd'), false);
    assert.equal(isPathWithin('/var/lib/etcd/x', '/var/lib/etcd'), true);
  });

  test('of mounts stacked on one point the last (top) one wins', () => {
    assert.equal(pickHoldingMount([mount('/'), mount('/srv', 'ext4', 'a'), mount('/srv', 'xfs', 'b')], '/srv/etcd'), 2);
  });

  test('no mount table holds nothing', () => {
    assert.equal(pickHoldingMount([], '/var/lib/etcd'), -1);
  });
});

describe('planFilesystems', () => {
  const host = [
    mount('/', 'ext4', '254:0', '/dev/vda1'),
    mount('/proc', 'proc', '0:21', 'proc'),
    mount('/sys', 'sysfs', '0:22', 'sysfs'),
    mount('/sys/fs/cgroup', 'cgroup2', '0:23', 'cgroup2'),
    mount('/dev', 'devtmpfs', '0:6', 'udev'),
    mount('/dev/shm', 'tmpfs', '0:24', 'tmpfs'),
    mount('/run', 'tmpfs', '0:25', 'tmpfs'),
    mount('/snap/core/1234', 'squashfs', '7:0', '/dev/loop0'),
    mount('/var/lib/docker', 'xfs', '8:16', '/dev/sdb'),
    mount('/var/lib/docker/overlay2/abc/merged', 'overlay', '0:50', 'overlay'),
    mount('/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs', 'overlay', '0:51', 'overlay'),
    mount('/var/lib/kubelet/pods/uid/volumes/kubernetes.io~secret/token', 'tmpfs', '0:52', 'tmpfs'),
    mount('/var/lib/kubelet/pods/uid/volume-subpaths/cfg/app/0', 'ext4', '254:0', '/dev/vda1'),
    mount('/data', 'ext4', '8:32', '/dev/sdc1'),
  ];

  test('pseudo, in-memory and container filesystems are left out; host disks stay', () => {
    const plan = planFilesystems(host, '/data/etcd');
    assert.deepEqual(
      plan.map((p) => p.entry.mount),
      ['/', '/data', '/var/lib/docker'],
    );
    assert.deepEqual(flagged(plan), ['/data']);
  });

  test('the filesystem holding etcd data is reported and flagged even when it is a tmpfs', () => {
    const plan = planFilesystems(host, '/dev/shm/etcd');
    assert.deepEqual(flagged(plan), ['/dev/shm']);
    assert.equal(plan.find((p) => p.holdsEtcdData)?.entry.type, 'tmpfs');
    assert.equal(plan.length, 4);
  });

  test('an overlay root (agent in a container) is a host filesystem', () => {
    const plan = planFilesystems([mount('/', 'overlay', '0:40', 'overlay'), mount('/proc', 'proc', '0:3', 'proc')], '/var/lib/etcd');
    assert.deepEqual(plan, [{ entry: mount('/', 'overlay', '0:40', 'overlay'), holdsEtcdData: true }]);
  });

  test('bind mounts of one filesystem are reported once, under the shortest mount point', () => {
    const plan = planFilesystems([mount('/srv/a/b', 'ext4', '8:1'), mount('/srv', 'ext4', '8:1'), mount('/', 'ext4', '8:0')], '/home');
    assert.deepEqual(
      plan.map((p) => p.entry.mount),
      ['/', '/srv'],
    );
    assert.deepEqual(flagged(plan), ['/']);
  });

  test('a holder bound from the root filesystem is flagged under its own mount point, and / still shows', () => {
    const plan = planFilesystems([mount('/', 'ext4', '8:0'), mount('/var/lib/etcd', 'ext4', '8:0')], '/var/lib/etcd/member');
    assert.deepEqual(
      plan.map((p) => [p.entry.mount, p.holdsEtcdData]),
      [
        ['/', false],
        ['/var/lib/etcd', true],
      ],
    );
  });

  test('a mount hidden under a later mount on the same point is dropped', () => {
    const plan = planFilesystems([mount('/', 'ext4', '8:0'), mount('/srv', 'ext4', '8:1'), mount('/srv', 'xfs', '8:2')], '/home');
    assert.deepEqual(
      plan.map((p) => p.entry.type),
      ['ext4', 'xfs'],
    );
  });

  test('exactly one filesystem is flagged; without a mount table the path itself stands for it', () => {
    for (const p of ['/', '/data/etcd', '/var/lib/docker/etcd', '/run/etcd', '/proc/1']) {
      assert.equal(flagged(planFilesystems(host, p)).length, 1, p);
    }
    assert.deepEqual(planFilesystems([], '/var/lib'), [
      { entry: { devId: '', mount: '/var/lib', type: '', source: '', readOnly: false }, holdsEtcdData: true },
    ]);
  });
});

test('toFilesystem computes bytes as df does: used includes reserved blocks, available is for non-root writers', () => {
  const fs = toFilesystem(mount('/data', 'ext4', '8:1', '/dev/sdc1'), { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 64, ffree: 60 }, true);
  assert.deepEqual(fs, {
    device: '/dev/sdc1',
    type: 'ext4',
    mount: '/data',
    sizeBytes: 4_096_000,
    usedBytes: 2_867_200,
    availableBytes: 1_024_000,
    inodesTotal: 64,
    inodesFree: 60,
    readOnly: false,
    holdsEtcdData: true,
  });
});

describe('cpu', () => {
  const procStat = (user: number, idle: number, iowait: number, steal: number) =>
    `cpu  ${user} 0 0 ${idle} ${iowait} 0 0 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2\nbtime 1700000000\nprocesses 5\n`;

  test('parseSystemStat: iowait is idle, steal is busy, btime read', () => {
    assert.deepEqual(parseSystemStat(procStat(100, 700, 100, 100)), { cpu: { busy: 200, total: 1000 }, btimeSec: 1_700_000_000 });
    assert.equal(parseSystemStat('nonsense'), undefined);
  });

  test('cpuBusyPercent is the busy share between samples, since boot for the first', () => {
    assert.equal(cpuBusyPercent(undefined, { busy: 200, total: 1000 }), 20);
    assert.equal(cpuBusyPercent({ busy: 200, total: 1000 }, { busy: 275, total: 1100 }), 75);
    assert.equal(cpuBusyPercent({ busy: 200, total: 1000 }, { busy: 200, total: 1000 }), 0);
  });
});

describe('process matching', () => {
  test('comm equal to a name matches; substrings, prefixes and other programs do not', () => {
    assert.equal(matchProcessName({ comm: 'etcd', exe: '/usr/bin/etcd', argv0: '/usr/bin/etcd' }, names), 'etcd');
    assert.equal(matchProcessName({ comm: 'grep', exe: '/usr/bin/grep', argv0: 'grep' }, names), undefined);
    assert.equal(matchProcessName({ comm: 'node', exe: '/usr/bin/node', argv0: 'node' }, names), undefined);
    assert.equal(matchProcessName({ comm: 'etcdx', exe: '/tmp/etcdx', argv0: '/tmp/etcdx' }, names), undefined);
    assert.equal(matchProcessName({ comm: 'etcdctl', exe: '/usr/bin/etcdctl', argv0: 'etcdctl' }, names), undefined);
    assert.equal(matchProcessName({ comm: 'kube-apiserve', argv0: 'kube-apiserve' }, names), undefined);
  });

  test('argv[0] alone does not make a process of interest', () => {
    assert.equal(matchProcessName({ comm: 'sleep', exe: '/usr/bin/sleep', argv0: 'etcd' }, names), undefined);
    assert.equal(commMayMatch('sleep', names), false);
  });

  test('comm matches even when the executable is a symlink to a versioned file', () => {
    assert.equal(matchProcessName({ comm: 'etcd', exe: '/opt/etcd-v3.5.9/etcd-3.5.9', argv0: 'etcd' }, names), 'etcd');
  });

  test('a name cut short in comm needs the executable or argv[0] to carry it in full', () => {
    assert.equal(commMayMatch('kube-controller', names), true);
    assert.equal(matchProcessName({ comm: 'kube-controller', exe: '/usr/local/bin/kube-controller-manager' }, names), 'kube-controller-manager');
    assert.equal(matchProcessName({ comm: 'kube-controller', exe: '/usr/local/bin/kube-controller-manager (deleted)' }, names), 'kube-controller-manager');
    assert.equal(matchProcessName({ comm: 'kube-controller', argv0: 'kube-controller-manager' }, names), 'kube-controller-manager');
    assert.equal(matchProcessName({ comm: 'kube-controller', exe: '/opt/kube-controller', argv0: '/opt/kube-controller' }, names), undefined);
    assert.equal(matchProcessName({ comm: 'kube-controller' }, names), undefined);
  });
});

describe('process fields', () => {
  test('parseProcessStat counts fields from the last ")" since comm may hold spaces and parentheses', () => {
    const rest = Array.from({ length: 49 }, (_, i) => String(i + 3));
    rest[0] = 'S'; // field 3
    rest[1] = '42'; // field 4, ppid
    rest[11] = '250'; // field 14, utime
    rest[12] = '50'; // field 15, stime
    rest[19] = '12345'; // field 22, starttime
    assert.deepEqual(parseProcessStat(`77 (we ird) (x) ${rest.join(' ')}\n`), {
      stateLetter: 'S',
      ppid: 42,
      utimeTicks: 250,
      stimeTicks: 50,
      starttimeTicks: 12345,
    });
    assert.equal(parseProcessStat('77 no parenthesis'), undefined);
  });

  test('state letters become the words of /proc/<pid>/status', () => {
    assert.deepEqual(['R', 'S', 'D', 'Z', 'T', 'I', '?'].map(processStateWord), ['running', 'sleeping', 'disk-sleep', 'zombie', 'stopped', 'idle', 'unknown']);
  });

  test('VmRSS is read in bytes, 0 without one', () => {
    assert.equal(parseVmRssBytes('Name:\tetcd\nVmRSS:\t   10240 kB\nThreads: 9\n'), 10_485_760);
    assert.equal(parseVmRssBytes('Name:\tetcd\nState:\tZ (zombie)\n'), 0);
  });

  test('commandLine joins argv with spaces, cuts it, and shows [comm] for none', () => {
    assert.equal(commandLine('/usr/bin/etcd\0--name\0m1\0', 'etcd'), '/usr/bin/etcd --name m1');
    assert.equal(commandLine('', 'kworker/0:1'), '[kworker/0:1]');
    assert.equal(commandLine('x\0' + 'a'.repeat(2000) + '\0', 'x').length, COMMAND_MAX_CHARS);
  });

  test('toProcessInfo: start from btime plus starttime, cpu averaged over the lifetime', () => {
    const info = toProcessInfo(
      { name: 'etcd', pid: 9, stat: { stateLetter: 'S', ppid: 1, utimeTicks: 300, stimeTicks: 100, starttimeTicks: 1_050 }, rssBytes: 4096, command: 'etcd' },
      { btimeSec: 1_700_000_000, uptimeSec: 30.5, ticksPerSec: 100 },
    );
    assert.deepEqual(info, {
      name: 'etcd',
      pid: 9,
      ppid: 1,
      state: 'sleeping',
      cpuPercent: 20,
      rssBytes: 4096,
      startedAtMs: 1_700_000_010_500,
      command: 'etcd',
    });
  });
});
