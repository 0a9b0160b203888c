#!/usr/bin/env python3
"""make-full-log.py - writes full.log, the crafted log of run-interpret-full:
every reading interpret = full makes (syscall arguments by syscall on
x86_64 and i386, errno names, file modes, permissions, lists, results,
promiscuous flags, capability sets, signals, protocols, capabilities,
mq_open modes, proctitles, sessions) and values it must not read (no
number, out of range, odd hex, control bytes, unknown arch).
usage: make-full-log.py > full.log"""
lines = []
n = [0]


def ev(recs):
    n[0] += 1
    ts = "1700000200.%03d:%d" % (n[0] % 1000, n[0])
    for r in recs:
        lines.append(r.replace("@", "msg=audit(%s):" % ts))


S = ("type=SYSCALL @ arch=c000003e syscall=%d success=%s exit=%s a0=%s "
     "a1=%s a2=%s a3=%s items=0 ppid=1 pid=100 auid=1000 uid=0 gid=0 "
     "euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=%s "
     "comm=\"t\" exe=\"/usr/bin/t\" key=(null)")


def sc(nr, a, exit="0", ses="3", success="yes"):
    a = list(a) + ["0"] * (4 - len(a))
    return S % (nr, success, exit, a[0], a[1], a[2], a[3], ses)


calls = [
    (2, ["7ffd1000", "80241", "1a4"], "-13"),   # open, O_CREAT: a2 a mode
    (2, ["7ffd1000", "0", "1a4"], "3"),
    (2, ["7ffd1000", "80000"], "-2"),
    (2, ["7ffd1000", "ffffffffffffffff"], "-1"),
    (257, ["ffffff9c", "7ffd", "80000"], "3"),  # openat: dirfd, flags
    (257, ["ffffffffffffff9c", "7ffd", "0"], "3"),
    (257, ["5", "7ffd", "20241", "1ed"], "-17"),
    (41, ["2", "80802", "6"], "4"),              # socket
    (41, ["a", "1", "0"], "4"),
    (41, ["2c", "3", "0"], "4"),
    (41, ["1b", "7", "0"], "-97"),
    (41, ["ffffffff", "100", "0"], "-22"),
    (62, ["64", "9"], "0"),                      # kill
    (62, ["64", "1e"], "0"),
    (62, ["64", "40"], "-22"),
    (62, ["64", "ffffffff"], "-22"),
    (200, ["64", "f"], "0"),                     # tkill, tgkill
    (234, ["64", "65", "13"], "0"),
    (90, ["7ffd", "9ed"], "0"),                  # chmod, fchmod, mkdir
    (91, ["3", "3ff"], "0"),
    (83, ["7ffd", "1c0"], "-17"),
    (85, ["7ffd", "1a4"], "3"),                  # creat
    (133, ["7ffd", "21b6", "0"], "0"),           # mknod
    (133, ["7ffd", "61b0", "0"], "0"),
    (13, ["11", "7ffd", "0", "8"], "0"),         # rt_sigaction
    (13, ["41", "7ffd", "0", "8"], "-22"),
    (231, ["0"], "0"),                           # exit_group, exit
    (60, ["1"], "0"),
    (231, ["2"], "0"),
    (157, ["18", "15"], "0"),                    # prctl
    (157, ["17", "ff"], "0"),
    (157, ["1", "9"], "0"),
    (157, ["f", "7ffd"], "0"),
    (72, ["3", "2", "1"], "0"),                  # fcntl
    (72, ["3", "4", "800"], "0"),
    (72, ["3", "8", "3e8"], "0"),
    (258, ["ffffff9c", "7ffd", "1ed"], "0"),     # mkdirat, fchmodat
    (268, ["ffffff9c", "7ffd", "1a4"], "0"),
    (263, ["5", "7ffd", "200"], "0"),            # unlinkat
    (265, ["ffffff9c", "7ffd", "ffffff9c", "7ffe"], "0"),  # linkat
    (264, ["ffffff9c", "7ffd", "4", "7ffe"], "0"),         # renameat
    (54, ["3", "1", "2", "7ffd"], "0"),          # setsockopt
    (54, ["3", "84", "2", "7ffd"], "0"),
    (9, ["0", "1000", "3", "22"], "140000000"),  # mmap
    (16, ["3", "5401", "7ffd"], "0"),            # ioctl
    (44, ["3", "7ffd", "10", "0"], "16"),        # sendto
    (0, ["3", "7ffd", "10"], "-11"),
    (1, ["1", "7ffd", "10"], "-32"),
    (1, ["1", "7ffd", "10"], "-512"),
    (1, ["1", "7ffd", "10"], "-4095"),
    (59, ["55d0", "55d1", "55d2"], "0"),
    (240, ["7ffd", "c2", "180", "0"], "3"),      # mq_open
    (240, ["7ffd", "2", "180", "0"], "3"),
    (105, ["3e8"], "0"),                         # setuid: names, not here
    (92, ["7ffd", "3e8", "3e8"], "0"),           # chown
]
for nr, a, ex in calls:
    ev([sc(nr, a, ex)])
i386 = "40000003"
ev([(S % (102, "yes", "0", "3", "ffd0", "0", "0", "1")).replace("c000003e", i386)])
ev([(S % (102, "yes", "0", "63", "ffd0", "0", "0", "1")).replace("c000003e", i386)])
ev([(S % (5, "yes", "0", "ffd0", "8241", "1b6", "0", "1")).replace("c000003e", i386)])
ev([(S % (2, "yes", "0", "7ffd", "80241", "1a4", "0", "1")).replace("c000003e", "12345")])
ev([S % (2, "yes", "abc", "7ffd", "zz", "1a4", "0", "x")])
ev([S % (2, "yes", "-", "7ffd", "80241", "1a4", "0", "4294967295")])
for m in ["0100644", "040755", "0120777", "020620", "0106755", "0170000",
          "060660", "010644", "0140777", "01777", "0", "99", "0100644x"]:
    ev(["type=PATH @ item=0 name=\"/x\" inode=1 dev=08:01 mode=%s ouid=0 "
        "ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
        "cap_fver=0 cap_frootid=0" % m])
for l, res in [("4", "1"), ("0", "0"), ("2", "2"), ("99", "success"),
               ("1", "failed")]:
    ev(["type=CONFIG_CHANGE @ auid=1000 ses=2 op=add_rule key=\"k\" "
        "list=%s res=%s" % (l, res)])
for p in ["0", "1", "2", "3", "4", "6", "7", "8", "15", "16", "x"]:
    ev(["type=CONFIG_CHANGE @ auid=0 ses=1 op=updated_rules path=\"/etc\" "
        "key=(null) list=4 perm=%s perm_mask=%s res=1" % (p, p)])
for p, o in [("256", "0"), ("0", "256"), ("1", "0")]:
    ev(["type=ANOM_PROMISCUOUS @ dev=eth0 prom=%s old_prom=%s auid=1000 "
        "uid=0 gid=0 ses=2" % (p, o)])
ev(["type=CAPSET @ pid=100 cap_pi=0 cap_pp=1ffffffffff cap_pe=20000000 "
    "cap_pa=0"])
ev(["type=CAPSET @ pid=100 cap_pi=ffffffffffffffff cap_pp=3 "
    "cap_pe=10000000000 cap_pa=zz"])
ev(["type=BPRM_FCAPS @ fver=2 fp=3000 fi=0 fe=1 old_pp=0 old_pi=0 "
    "old_pe=0 old_pa=0 pp=3000 pi=0 pe=3000 pa=0 frootid=0"])
ev(["type=CRYPTO_KEY_USER @ pid=1 uid=0 auid=0 ses=1 msg='op=destroy "
    "kind=server fp=SHA256:ab:cd direction=? spid=1 suid=0 "
    "exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=? res=success'"])
for s in ["11", "9", "30", "31", "32", "64", "x"]:
    ev(["type=ANOM_ABEND @ auid=1000 uid=1000 gid=1000 ses=2 pid=100 "
        "comm=\"c\" exe=\"/bin/c\" sig=%s res=1" % s])
for p in ["6", "17", "1", "58", "132", "200", "x"]:
    ev(["type=NETFILTER_PKT @ mark=0 saddr=10.0.0.1 daddr=10.0.0.2 "
        "proto=%s" % p])
for c in ["21", "0", "40", "41", "x"]:
    ev(["type=AVC @ avc:  denied  { sys_admin } for  pid=1 comm=\"x\" "
        "capability=%s  scontext=u:r:x:s0 tcontext=u:r:x:s0 "
        "tclass=capability permissive=0" % c])
for m in ["0600", "04755", "01777", "x"]:
    ev(["type=MQ_OPEN @ oflag=0x42 mode=%s mq_flags=0x0 mq_maxmsg=10 "
        "mq_msgsize=8192 mq_curmsgs=0" % m])
for p in ["62617368002D63006C73", "\"bash\"", "7072696E7466002541",
          "626101", "616263", "7A7A", "41"]:
    ev(["type=PROCTITLE @ proctitle=%s" % p])
for s in ["4294967295", "3", "0", "-1", "x"]:
    ev(["type=USER_START @ pid=1 uid=0 auid=1000 ses=%s "
        "msg='op=PAM:session_open acct=\"root\" exe=\"/bin/su\" "
        "hostname=? addr=? terminal=pts/0 res=success'" % s])
print("\n".join(lines))
