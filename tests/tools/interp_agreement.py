#!/usr/bin/env python3
"""interp_agreement.py - auenrich's interpreted members against libauparse.

usage: interp_agreement.py [--min PCT] [--max-withheld PCT] [--types T,T]
                           [--in-place T,T] [--skip-value TYPE=V]
                           ORACLE.jsonl AUENRICH.json [ORACLE AUENRICH ...]

ORACLE.jsonl is tools/interp_oracle's output (one line per field, with
auparse_interpret_field's text); AUENRICH.json is auenrich's output of the
same log with interpret = full. For every field of an auparse type in
--types, the member of the upper-cased field name in the same record of the
same event is compared with auparse's text (a field auparse reports twice
for one record, or an event ID written twice, is counted as ambiguous and
not compared: hostile logs repeat them on purpose):
  agreed        same text
  contradicted  a different text
  withheld      no member (auenrich leaves out what it cannot read alike)
Prints one line per type, then the totals. Fails (exit 1) when a type's
agreement over the members auenrich wrote is below --min, or when the
contradictions exceed the known, documented differences (--skip-value), or
when more than --max-withheld percent of all the fields of --types got no
member. --in-place types are read in the raw member itself (auenrich
decodes them there): they are compared with it and reported, not judged by
--max-withheld."""
import argparse
import collections
import json
import sys
import urllib.parse

TYPES = ['UNCLASSIFIED', 'UID', 'GID', 'SYSCALL', 'ARCH', 'EXIT', 'ESCAPED',
         'PERM', 'MODE', 'SOCKADDR', 'FLAGS', 'PROMISC', 'CAPABILITY',
         'SUCCESS', 'A0', 'A1', 'A2', 'A3', 'SIGNAL', 'LIST', 'TTY_DATA',
         'SESSION', 'CAP_BITMAP', 'NFPROTO', 'ICMPTYPE', 'PROTOCOL', 'ADDR',
         'PERSONALITY', 'SECCOMP', 'OFLAG', 'MMAP', 'MODE_SHORT',
         'MAC_LABEL', 'PROCTITLE', 'HOOK', 'NETACTION', 'MACPROTO',
         'IOCTL_REQ', 'ESCAPED_KEY', 'ESCAPED_FILE', 'FANOTIFY', 'NLMCGRP',
         'RESOLVE']


def load_events(path):
    """auenrich's events by (node, ID); an ID written twice (a hostile log
    repeating one) maps to None: which is which cannot be told."""
    events = {}
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            line = line.strip()
            if not line.startswith('{'):
                continue
            e = json.loads(line)
            key = (e.get('NODE'), e.get('ID'))
            events[key] = None if key in events else e
    return events


def oracle_keys(path):
    """The (node, id, type, n, field) auparse reports more than once: a
    field named twice in a record, or an event ID used twice."""
    seen, twice = set(), set()
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            d = json.loads(line)
            k = (d['node'], d['id'], d['type'], d['n'], d['field'])
            if k in seen:
                twice.add(k)
            seen.add(k)
    return twice


def as_bytes_oracle(s):
    """interp_oracle writes each byte >= 0x7f as the code point of its value."""
    return s.encode('latin-1', errors='replace')


def as_bytes_ours(v):
    """auenrich's strings are percent-encoded (laurel's rule): the bytes."""
    if v is None:
        return b'(null)'
    if not isinstance(v, str):
        return json.dumps(v).encode()
    return urllib.parse.unquote_to_bytes(v)


def record_of(event, rtype, n):
    r = event.get(rtype)
    if isinstance(r, list):
        return r[n] if n < len(r) else None
    return r if n == 0 and isinstance(r, dict) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--min', type=float, default=100.0)
    ap.add_argument('--types', default='')
    ap.add_argument('--skip-value', action='append', default=[],
                    help='TYPE=TEXT: a known difference, not counted')
    ap.add_argument('--examples', type=int, default=3)
    ap.add_argument('--in-place', default='',
                    help='types whose reading is the raw member itself')
    ap.add_argument('--max-withheld', type=float, default=100.0)
    ap.add_argument('pairs', nargs='+')
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error('ORACLE and AUENRICH files come in pairs')
    wanted = set(a.types.split(',')) if a.types else None
    in_place = set(a.in_place.split(',')) if a.in_place else set()
    if wanted is not None:
        wanted |= in_place
    known = collections.defaultdict(set)
    for s in a.skip_value:
        t, v = s.split('=', 1)
        known[t].add(v)

    count = collections.Counter()
    agreed = collections.Counter()
    contra = collections.Counter()
    skipped = collections.Counter()
    examples = collections.defaultdict(list)
    for i in range(0, len(a.pairs), 2):
        compare(a, a.pairs[i], load_events(a.pairs[i + 1]), wanted,
                in_place, known, count, agreed, contra, skipped, examples)
    return report(a, in_place, count, agreed, contra, skipped, examples)


def compare(a, oracle, events, wanted, in_place, known, count, agreed,
            contra, skipped, examples):
    twice = oracle_keys(oracle)
    with open(oracle, encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            d = json.loads(line)
            t = TYPES[d['ftype']] if 0 <= d['ftype'] < len(TYPES) else \
                str(d['ftype'])
            if wanted is not None and t not in wanted:
                continue
            key = (d['node'] or None, d['id'])
            if (d['node'], d['id'], d['type'], d['n'], d['field']) in twice \
                    or (key in events and events[key] is None):
                count['(ambiguous)'] += 1
                continue
            count[t] += 1
            e = events.get(key)
            if e is None:
                count['(event not found)'] += 1
                continue
            r = record_of(e, d['type'], d['n'])
            if r is None:
                continue
            member = d['field'] if t in in_place else d['field'].upper()
            if member not in r:
                continue
            got = r[member]
            if as_bytes_ours(got) == as_bytes_oracle(d['interp']):
                agreed[t] += 1
            elif d['interp'] in known[t]:
                skipped[t] += 1
            else:
                contra[t] += 1
                if len(examples[t]) < a.examples:
                    examples[t].append('%s %s %s=%s: auparse %r, auenrich %r'
                                       % (d['id'], d['type'], d['field'],
                                          d['raw'], d['interp'], got))


def report(a, in_place, count, agreed, contra, skipped, examples):
    bad = []
    tot = collections.Counter()
    print('%-14s %9s %9s %9s %9s %8s' % ('type', 'fields', 'agreed',
                                         'contra', 'withheld', 'agree%'))
    for t in sorted(count, key=lambda x: -count[x]):
        wrote = agreed[t] + contra[t]
        pct = 100.0 * agreed[t] / wrote if wrote else None
        withheld = count[t] - wrote - skipped[t]
        print('%-14s %9d %9d %9d %9d %8s%s' % (
            t, count[t], agreed[t], contra[t], withheld,
            '%.3f' % pct if pct is not None else '-',
            '  (known differences: %d)' % skipped[t] if skipped[t] else ''))
        for ex in examples[t]:
            print('    ' + ex)
        if pct is not None and pct < a.min and t not in in_place:
            bad.append(t)
        if t in in_place or t.startswith('('):
            continue
        for k, v in (('fields', count[t]), ('agreed', agreed[t]),
                     ('contra', contra[t]), ('withheld', withheld)):
            tot[k] += v
    wrote = tot['agreed'] + tot['contra']
    held = 100.0 * tot['withheld'] / tot['fields'] if tot['fields'] else 0
    print('interpreted types: fields %d, members %d, agreed %d (%.3f%%), '
          'contradicted %d, withheld %d (%.3f%%)' % (
              tot['fields'], wrote, tot['agreed'],
              100.0 * tot['agreed'] / wrote if wrote else 100.0,
              tot['contra'], tot['withheld'], held))
    if bad:
        print('below %.3f%%: %s' % (a.min, ', '.join(bad)))
    if held > a.max_withheld:
        print('withheld %.3f%% > %.3f%%' % (held, a.max_withheld))
    return 1 if bad or held > a.max_withheld else 0


if __name__ == '__main__':
    sys.exit(main())
