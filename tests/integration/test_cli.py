#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
The command line: --help, --version, --check on good configurations (ours,
every one under configs/ and tools/make-many.py's, with and without
--tune) and on broken ones (exit 1 with FILE:LINE:,
never a byte of key material in the output), unknown arguments, no -f, a
file that does not exist, and a real run stopped with SIGINT (final
counters, exit 0, no keys in the telemetry either).

Usage: test_cli.py PATH/TO/esprit
"""
import glob
import os
import re
import signal
import subprocess
import tempfile

from scapy.all import IP, UDP

import harness as H

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SA_OUT = H.SaSpec('out', 0x5001, H.SUITES['aes256-sha256'], 'out', 'tunnel', H.GW4, H.PEER4)
SA_IN = H.SaSpec('in', 0x5002, H.SUITES['aes128-sha1'], 'in', 'tunnel', H.PEER4, H.GW4)
SECRETS = [k for sa in (SA_OUT, SA_IN) for k in (sa.enc_key, sa.auth_key)]


def good_config():
    cfg = H.Config()
    cfg.add_pair(SA_OUT, SA_IN, H.subnet('lan', 4, 0), H.subnet('remote', 4, 0))
    return cfg.text()


def cli(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)


def leaked(text):
    """Key material in any spelling: hex, upper case, colon-separated, or
    any 6 consecutive bytes of it (a truncated or partly quoted key)."""
    low = re.sub(r'[^0-9a-f]', '', text.lower())
    return any(k[i:i + 6].hex() in low for k in SECRETS for i in range(len(k) - 5))


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


# --- broken configurations -------------------------------------------------

def hexkey(k):
    return '0x' + k.hex()


# (what is wrong, text to replace in the good configuration, replacement,
#  a word the message must contain)
BROKEN = [
    ('syntax error', f'spi = {SA_OUT.spi:#x}', f'spi = = {SA_OUT.spi:#x}', 'syntax'),
    ('unknown key in an SA', 'alg = "aes256-sha256"; enc_key',
     'alg = "aes256-sha256"; colour = "blue"; enc_key', 'colour'),
    ('enc_key one byte too long', hexkey(SA_OUT.enc_key), hexkey(SA_OUT.enc_key) + 'ab',
     'enc_key'),
    ('enc_key one byte short', hexkey(SA_OUT.enc_key), hexkey(SA_OUT.enc_key)[:-2], 'enc_key'),
    ('enc_key not hex', hexkey(SA_OUT.enc_key), '0xzz' + SA_OUT.enc_key.hex()[2:], 'hex'),
    ('auth_key too short', hexkey(SA_IN.auth_key), hexkey(SA_IN.auth_key)[:-4], 'auth_key'),
    ('auth_key on an AEAD suite', f'alg = "aes256-sha256"; enc_key = "{hexkey(SA_OUT.enc_key)}"',
     f'alg = "aes256gcm16"; enc_key = "{hexkey(SA_OUT.enc_key)}01020304"', 'auth_key'),
    ('enc_key missing', f'enc_key = "{hexkey(SA_IN.enc_key)}"; ', '', 'enc_key'),
    ('unknown suite', 'alg = "aes256-sha256"', 'alg = "aes256-sha257"', 'aes256-sha257'),
    ('SPI 0', f'spi = {SA_OUT.spi:#x}', 'spi = 0x0', 'spi'),
    ('replay window on an outbound SA', 'direction = "out"; mode',
     'direction = "out"; replay_window = 32; mode', 'replay_window'),
    ('SPD rule naming no SA', 'sa = "in"', 'sa = "nowhere"', 'nowhere'),
    ('MTU out of range', f'mtu = 1500;\n\t  mac = "{H.WAN_MAC}"',
     f'mtu = 100;\n\t  mac = "{H.WAN_MAC}"', 'mtu'),
]


def broken(text, old, new):
    """The configuration with old replaced by new, and the line that
    changed (1-based)."""
    assert text.count(old) == 1, old
    bad = text.replace(old, new)
    line = next(i for i, (a, b) in enumerate(zip(text.splitlines(), bad.splitlines()), 1)
                if a != b)
    return bad, line


def check_broken(r, exe, tmp, good):
    for name, old, new, word in BROKEN:
        bad, line = broken(good, old, new)
        path = write(tmp, 'bad.conf', bad)
        for args in (('--check', '-f', path), ('-f', path)):
            p = cli(exe, *args)
            mode = 'check' if '--check' in args else 'run'
            first = (p.stderr.splitlines() or [''])[0]
            r.check(f'{mode} {name}: exit 1 with "bad.conf:{line}: ...{word}..."',
                    p.returncode == 1 and first.startswith(f'{path}:{line}: ') and word in first,
                    f'exit {p.returncode}, {first!r}')
            r.check(f'{mode} {name}: no key material in the output',
                    not leaked(p.stdout + p.stderr), p.stdout + p.stderr)


# --- the rest ----------------------------------------------------------------

def check_usage(r, exe, tmp, good_path):
    p = cli(exe, '--help')
    r.check('--help: exit 0 and the usage', p.returncode == 0 and 'Usage:' in p.stdout and
            '-f, --config FILE' in p.stdout, p)
    p = cli(exe, '--version')
    r.check('--version: exit 0 and "esprit X.Y.Z"', p.returncode == 0 and
            re.fullmatch(r'esprit \d+\.\d+\.\d+\S*\n', p.stdout) is not None, p)
    for args, word in (((('--', '-f', good_path, '--frobnicate')), 'frobnicate'),
                       (('--', '-f', good_path, 'extra'), 'extra'),
                       (('-l', '0', '-f', good_path), 'no options for esprit'),
                       (('--check',), 'no configuration'),
                       (('-l', '0', '--'), 'no configuration'),
                       (('--check', '-f', os.path.join(tmp, 'missing.conf')), 'missing.conf'),
                       (('-f', os.path.join(tmp, 'missing.conf')), 'missing.conf')):
        p = cli(exe, *args)
        r.check(f'{" ".join(args).replace(tmp, "TMP")}: non-zero exit, stderr names '
                f'"{word}"', p.returncode != 0 and word in p.stderr,
                f'exit {p.returncode}, {p.stderr!r}')


def check_good(r, exe, good_path):
    p = cli(exe, '--check', '-f', good_path)
    r.check('--check on the test configuration: exit 0, "OK", no keys',
            p.returncode == 0 and 'OK' in p.stdout and not leaked(p.stdout + p.stderr),
            p.stdout + p.stderr)
    for path in sorted(glob.glob(os.path.join(REPO, 'configs', '**', '*.conf'), recursive=True)):
        p = cli(exe, '--check', '-f', path)
        r.check(f'--check {os.path.relpath(path, REPO)}: exit 0', p.returncode == 0,
                p.stderr)


def check_make_many(r, exe, tmp):
    """tools/make-many.py's configurations (no captures, a few SAs) pass
    --check, for every suite and with options.tune; a bad --tune is refused."""
    tool = os.path.join(REPO, 'tools', 'make-many.py')
    algs = {'gcm': 'aes128gcm16', 'cbc': 'aes128-sha1', 'ctr': 'aes128ctr-sha1',
            'chacha': 'chacha20poly1305'}
    for suite, tune in (('gcm', ''), ('cbc', 'cbc_sse_max=256,sha1_sse_max=0,sha1_x16_max=1500'),
                        ('ctr', ''), ('chacha', '')):
        out = os.path.join(tmp, 'many-' + suite)
        p = subprocess.run(['/usr/bin/python3', tool, '--out', out, '--sas', '3', '--rules', '10',
                            '--hot', '2', '--suite', suite, '--tune', tune, '--no-captures'],
                           capture_output=True, text=True, timeout=120)
        r.check(f'make-many --suite {suite} --tune "{tune}": exit 0', p.returncode == 0, p.stderr)
        confs = sorted(glob.glob(os.path.join(out, '*.conf')))
        r.check(f'make-many --suite {suite}: five configurations', len(confs) == 5, confs)
        for path in confs:
            with open(path) as f:
                text = f.read()
            c = cli(exe, '--check', '-f', path)
            every_sa_of_suite = 0 < text.count('alg = ') == text.count(f'alg = "{algs[suite]}"')
            tune_written = not tune or ('tune = { cbc_sse_max = 256; sha1_sse_max = 0; '
                                        'sha1_x16_max = 1500; }' in text)
            r.check(f'--check make-many {suite} {os.path.basename(path)}: exit 0'
                    + (', its tune group written' if tune else ''),
                    c.returncode == 0 and every_sa_of_suite and tune_written, c.stderr)
    for bad, word in (('frob=1', 'KEY one of'), ('sha1_x16_max=70000', '0 to 65535'),
                      ('cbc_sse_max', 'KEY=BYTES')):
        p = subprocess.run(['/usr/bin/python3', tool, '--out', os.path.join(tmp, 'bad'),
                            '--sas', '3', '--rules', '10', '--tune', bad, '--no-captures'],
                           capture_output=True, text=True, timeout=120)
        r.check(f'make-many --tune {bad}: exit 2, "{word}"',
                p.returncode == 2 and word in p.stderr, p.stderr)


def check_sigint(r, exe, good):
    pkts = [H.lan_frame(IP(src=H.host('lan', 4, 0), dst=H.host('remote', 4, 0)) /
                        UDP(sport=1, dport=2) / bytes(k)) for k in range(5)]
    run = H.run(exe, good, lan=pkts, queries=('/esprit/sa,out', '/esprit/sas'),
                stop=signal.SIGINT)
    out = run.stdout
    r.equal('SIGINT: exit 0', run.returncode, 0)
    r.check('SIGINT: "esprit: stopped. Final counters:"',
            'esprit: stopped. Final counters:' in out, out)
    lan = next((l.split() for l in out.splitlines() if l.startswith('lan ')), [])
    r.check('SIGINT: the port table counts the 5 frames (lan rx 5, esp_out 5)',
            lan[1:2] == ['5'] and lan[4:5] == ['5'], lan)
    r.check('SIGINT: a drops: line and both SAs', run.drops_line() != '' and
            any(l.startswith('out ') and 'packets 5' in l for l in run.sa_lines()) and
            any(l.startswith('in ') for l in run.sa_lines()), out)
    r.check('SIGINT: no key material in the output or the telemetry',
            not leaked(out + run.stderr + repr(run.tele)), out)


def main():
    exe = H.exe_from_argv()
    r = H.Results()
    with tempfile.TemporaryDirectory(prefix='esprit-cli-') as tmp:
        good = good_config()
        good_path = write(tmp, 'good.conf', good)
        check_usage(r, exe, tmp, good_path)
        check_good(r, exe, good_path)
        check_make_many(r, exe, tmp)
        check_broken(r, exe, tmp, good)
        check_sigint(r, exe, good)
    r.finish()


if __name__ == '__main__':
    main()
