#!/usr/bin/env python3
"""Agreement of auenrich's process context with laurel 0.5.1's output.

laurel_agree.py LAUREL.json AUENRICH.json [MIN_PERCENT]

For SYSCALL.PID.EVENT_ID, PPID.EVENT_ID, PPID.exe and PPID.comm: of the
events where laurel writes the value, the share where auenrich writes the
same one (also without the values laurel took from its own /proc, below). Values where the two differ, or only auenrich has one, are
classified:
- "failed exec": laurel counts an execve that failed (success=no) as an
  exec of the event's own pid; auenrich does not (the process still runs
  its previous image);
- "laurel expiry": laurel drops, every second of event time, every process
  not running on the machine that runs laurel (all of a replayed log's);
  auenrich's value names an exec event older than laurel's last such purge;
- "laurel's /proc": laurel found the pid in the /proc of the machine that
  runs it (no EVENT_ID), which says nothing of the logging machine.
Anything else is unexplained. Exits 1 when an agreement (without laurel's /proc) is under
MIN_PERCENT (default 99) or unexplained differences pass 1% of laurel's
values.
"""
import json
import sys


def load(path):
    order, sysc = [], {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            e = json.loads(line)
            key = (e.get("NODE"), e["ID"])
            order.append(key)
            sysc[key] = e.get("SYSCALL") if isinstance(e.get("SYSCALL"), dict) else None
    return order, sysc


def ms(event_id):
    stamp = event_id.split(":")[0]
    sec, _, msec = stamp.partition(".")
    return int(sec) * 1000 + int(msec or 0)


def member(s, obj, name):
    if not s or not isinstance(s.get(obj), dict):
        return None
    return s[obj].get(name)


def main():
    lpath, opath = sys.argv[1], sys.argv[2]
    minimum = float(sys.argv[3]) if len(sys.argv) > 3 else 99.0
    order, lau = load(lpath)
    _, ours = load(opath)
    pos = {k: i for i, k in enumerate(order)}
    # laurel's purge points: the first event more than 1 s past the last
    last_purge, purge_before, next_at = -1, [], None
    for i, k in enumerate(order):
        t = ms(k[1])
        if next_at is None:
            next_at = t + 1000
        elif t > next_at:
            last_purge, next_at = i, t + 1000
        purge_before.append(last_purge)

    failed = False
    for obj, name in (("PID", "EVENT_ID"), ("PPID", "EVENT_ID"),
                      ("PPID", "exe"), ("PPID", "comm")):
        has = agree = failed_exec = expiry = own_proc = unexplained = 0
        for key, s in lau.items():
            if s is None:
                continue
            o = ours.get(key)
            x, y = member(s, obj, name), member(o, obj, name)
            if x is not None:
                has += 1
            if x == y:
                agree += x is not None
                continue
            if (obj == "PID" and x == key[1] and s.get("success") == "no"):
                failed_exec += 1
                continue
            if x is not None and y is None and \
                    member(s, obj, "EVENT_ID") is None:
                own_proc += 1
                continue
            ref = member(o, obj, "EVENT_ID")
            rk = (key[0], ref)
            if x is None and ref is not None and rk in pos and \
                    pos[rk] < purge_before[pos[key]]:
                expiry += 1
                continue
            unexplained += 1
        pct = 100.0 * agree / has if has else 100.0
        # laurel's lookups in its own /proc depend on what runs where the
        # test runs; the agreement that counts leaves them out
        from_log = has - own_proc
        pct_log = 100.0 * agree / from_log if from_log else 100.0
        print(f"{obj}.{name}: laurel {has}, same value {agree} ({pct:.2f}%, "
              f"{pct_log:.2f}% of the {from_log} from the log); "
              f"other: failed exec {failed_exec}, laurel expiry {expiry}, "
              f"laurel's /proc {own_proc}, unexplained {unexplained}")
        if pct_log < minimum or unexplained * 100 > has:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
