#!/usr/bin/env python3
"""tail_agreement.py - compares the tail members of two auenrich JSON outputs.

  tail_agreement.py [--min PCT] [--allow-withheld MEMBER,...]
                    [--names-absent] [--foreign NODE] [--allow-extra]
                    ORACLE.json OURS.json

ORACLE.json is auenrich's output for records that carry auditd's tail (after
0x1D); OURS.json its output for the same records with the tails cut, so that
auenrich had to compute them. The members compared are the upper-case ones a
tail adds to a record object (ARCH, SYSCALL, AUID, SADDR, ...; not ARGV nor
the process context: PID, PPID, SPAWNED_BY, SCRIPT, ENV).
Each oracle member is: agreed (same name, same value, same record), withheld
(absent from ours) or contradicted (ours has that member with another value);
a member only ours has is extra.

Prints the counts, the agreement per member name, and up to 10 examples of
each disagreement. Exit 1 when agreement < --min (default 100) percent, when
anything is contradicted or extra, or (without --allow-withheld) when
a member not listed in --allow-withheld (ALL: any) is withheld.
--names-absent: user and group names (uid/gid members whose value is neither
"unset" nor "root") must not appear in OURS at all; --foreign NODE: nor in
the records of NODE. Such names are then not counted in the agreement.
--allow-extra: members only ours has do not fail (records the oracle could
not parse, such as a timestamp of 0, get none from it).
--batch LIST: LIST names many pairs, a line each: LABEL, ORACLE.json and
OURS.json separated by tabs; each pair is compared as above (one Python
start for them all: the test suite compares a hundred small logs), the
report of a failing pair is printed under its label, and the last line sums
the pairs. Exit 1 when any pair fails."""
import collections, json, sys

ID_MEMBERS = {"AUID", "UID", "EUID", "SUID", "FSUID", "OUID", "OAUID",
              "OLD-AUID", "IUID", "ID", "INODE_UID", "SAUID", "OBJ_UID",
              "OBJ_GID", "GID", "EGID", "SGID", "FSGID", "OGID", "IGID",
              "INODE_GID", "NEW_GID"}
SKIP = {"ID", "NODE", "TIME", "CONTAINER", "TIME_CHANGE"}
# upper-case members that are no tail's: ARGV, and the process context,
# which in live mode also reads /proc for the log's pids (pids that come
# and go on this machine between two runs)
NOT_TAIL = {"ARGV", "PID", "PPID", "SPAWNED_BY", "SCRIPT", "ENV"}


def is_tail_member(name):
    return name not in NOT_TAIL and name == name.upper() and \
        any(c.isalpha() for c in name)


def base(name):
    """AUID_2 (a repeated name) counts as AUID."""
    head, _, tail = name.rpartition("_")
    return head if head and tail.isdigit() and head in ID_MEMBERS else name


def records(path):
    """(event id, record key, index) -> {member: json value}."""
    out = {}
    with open(path, "rb") as f:
        for line in f:
            e = json.loads(line)
            for k, v in e.items():
                if k in SKIP:
                    continue
                if k == "DUPLICATE_RECORDS":
                    objs = [("DUP:" + str(d["TYPE"]), d["RECORD"]) for d in v]
                else:
                    objs = [(k, o) for o in (v if isinstance(v, list) else [v])]
                for i, (key, o) in enumerate(objs):
                    out[(e["ID"], e.get("NODE"), key, i)] = {
                        m: json.dumps(mv, sort_keys=True)
                        for m, mv in o.items() if is_tail_member(m)}
    return out


def is_name(member, value):
    return base(member) in ID_MEMBERS and value not in ('"unset"', '"root"')


class Options:
    def __init__(self):
        self.min_pct, self.allow_withheld = 100.0, set()
        self.names_absent, self.foreign, self.allow_extra = False, set(), False


def compare(opts, oracle_path, ours_path):
    """Returns (report lines, members, agreed, bad)."""
    oracle, ours = records(oracle_path), records(ours_path)
    counts = collections.Counter()
    per = collections.defaultdict(collections.Counter)
    examples = collections.defaultdict(list)
    for key, members in oracle.items():
        mine = ours.get(key, {})
        for m, v in members.items():
            if (opts.names_absent or key[1] in opts.foreign) and \
                    is_name(m, v):
                counts["names_expected_absent"] += 1
                if m in mine:
                    counts["names_present"] += 1
                    examples["name present"].append((key, m, mine[m]))
                continue
            counts["members"] += 1
            if m not in mine:
                verdict = "withheld"
            elif mine[m] == v:
                verdict = "agreed"
            else:
                verdict = "contradicted"
            counts[verdict] += 1
            per[base(m)][verdict] += 1
            if verdict == "withheld" and not ({"ALL", base(m)} &
                                              opts.allow_withheld):
                counts["withheld_not_allowed"] += 1
            if verdict != "agreed":
                examples[verdict].append((key, m, v, mine.get(m)))
        for m, v in mine.items():
            if m not in members:
                counts["extra"] += 1
                examples["extra"].append((key, m, v))
    total = counts["members"]
    pct = 100.0 * counts["agreed"] / total if total else 100.0
    out = ["members %d, agreed %d (%.3f%%), withheld %d, contradicted %d, "
           "extra %d" % (total, counts["agreed"], pct, counts["withheld"],
                         counts["contradicted"], counts["extra"])]
    if opts.names_absent or opts.foreign:
        out.append("user/group names left out as required: %d of %d" %
                   (counts["names_expected_absent"] - counts["names_present"],
                    counts["names_expected_absent"]))
    for m in sorted(per):
        c = per[m]
        out.append("  %-10s agreed %d/%d" % (m, c["agreed"],
                                            sum(c.values())))
    for kind, ex in examples.items():
        out.append("%s (%d):" % (kind, len(ex)))
        out.extend("    %s" % (x,) for x in ex[:10])
    bad = pct < opts.min_pct or counts["contradicted"] or \
        (counts["extra"] and not opts.allow_extra) or \
        counts["names_present"] or counts["withheld_not_allowed"]
    return out, total, counts["agreed"], bool(bad)


def main(argv):
    opts, files, batch = Options(), [], None
    it = iter(argv)
    for a in it:
        if a == "--min":
            opts.min_pct = float(next(it))
        elif a == "--allow-withheld":
            opts.allow_withheld = set(next(it).split(","))
        elif a == "--allow-extra":
            opts.allow_extra = True
        elif a == "--foreign":
            opts.foreign.add(next(it))
        elif a == "--names-absent":
            opts.names_absent = True
        elif a == "--batch":
            batch = next(it)
        else:
            files.append(a)
    if batch is None:
        out, _, _, bad = compare(opts, files[0], files[1])
        print("\n".join(out))
        return 1 if bad else 0
    pairs = members = agreed = failed = 0
    with open(batch) as f:
        for line in f:
            label, oracle_path, ours_path = line.rstrip("\n").split("\t")
            out, m, a, bad = compare(opts, oracle_path, ours_path)
            pairs, members, agreed = pairs + 1, members + m, agreed + a
            if bad:
                failed += 1
                print("%s: %s" % (label, "\n".join(out)))
    print("%d logs, %d of them failing, %d of %d members agree" %
          (pairs, failed, agreed, members))
    return 1 if failed or not pairs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
