"""Memory of a whole running instance, with the plugin and without.

    .venv/bin/python benchmarks/instance_memory.py

Starts a throwaway Mailman instance with ``mailman start`` (every runner,
REST and LMTP included), once with the plugin wired in and once without,
waits until the runners are idle, and prints the memory (PSS) of each
process and the total: what a self-hoster's machine (a Raspberry Pi, say) pays for
the plugin before any mail arrives.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'src'))

from mailman_pgp.testing.instance import MailmanInstance  # noqa: E402

SETTLE = 8.0        # seconds after the ports answer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def pss_kib(pid: int) -> int:
    """Proportional set size: shared library pages split among the
    processes that map them, so that the total adds up."""
    with open(f'/proc/{pid}/smaps_rollup') as fp:
        for line in fp:
            if line.startswith('Pss:'):
                return int(line.split()[1])
    return 0


def processes(master: int) -> dict:
    """{name: PSS KiB} of the master and each runner it started."""
    out = {'master': pss_kib(master)}
    children = subprocess.run(['ps', '-o', 'pid=,args=', '--ppid',
                               str(master)], capture_output=True,
                              text=True).stdout
    for line in children.splitlines():
        pid, args = line.strip().split(None, 1)
        name = next((a.split('=', 1)[1] for a in args.split()
                     if a.startswith('--runner=')), args.split()[0])
        out[name.split(':')[0]] = pss_kib(int(pid))
    return out


def measure(plugin: bool) -> dict:
    root = tempfile.mkdtemp(prefix='mmpgp-bench-instance-')
    instance = MailmanInstance(
        root, lmtp_port=free_port(), smtp_port=free_port(),
        rest_port=free_port(), wiring=None if plugin else '')
    try:
        instance.start()
        time.sleep(SETTLE)
        with open(os.path.join(instance.var_dir, 'master.pid')) as fp:
            master = int(fp.read().strip())
        return processes(master)
    finally:
        instance.stop()
        shutil.rmtree(root, ignore_errors=True)


def main():
    ours, stock = measure(True), measure(False)
    print('{:<12} {:>12} {:>12} {:>8}'.format('process', 'with plugin',
                                              'plain', 'diff'))
    for name in sorted(set(ours) | set(stock)):
        a, b = ours.get(name, 0) / 1024, stock.get(name, 0) / 1024
        print('{:<12} {:>8.1f} MiB {:>8.1f} MiB {:>+8.1f}'.format(
            name, a, b, a - b))
    a, b = sum(ours.values()) / 1024, sum(stock.values()) / 1024
    print('{:<12} {:>8.1f} MiB {:>8.1f} MiB {:>+8.1f}'.format(
        'total', a, b, a - b))


if __name__ == '__main__':
    main()
