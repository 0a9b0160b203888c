#!/usr/bin/env python3
# make-logs.py - writes families.log and hostile.log (run from this dir).
# Records of every kind auditd's ENRICHED format interprets: every
# architecture libaudit knows and unknown ones, socketcall and ipc
# operations, every uid/gid field name, user-space records, SECCOMP with
# and without subj (auparse finds arch and syscall by position), every
# socket family and truncated sockaddrs; hostile.log holds values auparse
# misreads (a uid that is no number, odd-length or non-hex sockaddrs, uids
# past 32 bits, arch that is no hex).
import struct, socket
ser = [1000]
def rec(L, typ, body, node=None):
    ser[0] += 1
    pre = f"node={node} " if node else ""
    L.append(f"{pre}type={typ} msg=audit(1700000000.123:{ser[0]}): {body}")
def syscall(L, arch, nr, a0="3", ids="auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0", node=None):
    rec(L, "SYSCALL", f"arch={arch} syscall={nr} success=yes exit=0 a0={a0} a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 {ids} tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=(null)", node)
def ids(v): return " ".join(f"{n}={v}" for n in ["auid","uid","gid","euid","suid","fsuid","egid","sgid","fsgid"])
def hx(b): return b.hex().upper()
def fam(f): return struct.pack("=H", f)

F = []
for arch in ["c000003e","40000003","c00000b7","40000028","28","80000015","c0000015","80000016","16","c0009026","c0000032","40000032","0","1234","ffffffff","C000003E","000000c000003e"]:
    for nr in ["0","59","102","117","400","4294967295"]:
        syscall(F, arch, nr)
for a0 in [str(i) for i in range(0,23)]+["ffffffff","7fffffff","80000000","1ffffffffffffffff"]:
    for arch, nr in [("40000003","102"),("40000003","117"),("16","102")]:
        syscall(F, arch, nr, a0)
for v in ["0","1","2","7","007","65534","1000","4294967295","4294967294","-1","2147483648","54321"]:
    syscall(F, "c000003e", "2", ids=ids(v))
    rec(F, "PATH", f"item=0 name=\"/etc\" inode=2 dev=08:01 mode=040755 ouid={v} ogid={v} rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0")
names_u=["auid","uid","euid","suid","fsuid","ouid","oauid","old-auid","iuid","id","inode_uid","sauid","obj_uid"]
names_g=["obj_gid","gid","egid","sgid","fsgid","ogid","igid","inode_gid","new_gid"]
for v in ["0","4294967295","1","65534"]:
    rec(F, "CONFIG_CHANGE", " ".join(f"{n}={v}" for n in names_u+names_g)+" res=1")
for t in ["ADD_GROUP","GRP_MGMT","DEL_GROUP","ADD_USER","DEL_USER","USER_MGMT","USER_LOGIN","USER_AUTH","USER_CMD","TRUSTED_APP","USER_START"]:
    rec(F, t, "pid=10 uid=0 auid=4294967295 ses=4294967295 msg='op=x id=1 new_gid=65534 exe=\"/usr/sbin/x\" hostname=? addr=? terminal=pts/0 res=success'")
rec(F, "EXECVE", "argc=3 a0=\"auid\" a1=\"uid\" a2=\"x\" auid=0")
rec(F, "DAEMON_START", "op=start ver=3.0.9 format=enriched kernel=6.1 auid=4294967295 pid=1 uid=0 ses=4294967295 res=success")
rec(F, "SECCOMP", "auid=0 uid=0 gid=0 ses=1 subj=unconfined pid=5 comm=\"x\" exe=\"/x\" sig=0 arch=c000003e syscall=41 compat=0 ip=0x7f code=0x50000")
rec(F, "SECCOMP", "auid=0 uid=0 gid=0 ses=1 subj=unconfined pid=5 comm=\"x\" exe=\"/x\" sig=0 arch=40000003 syscall=102 compat=1 ip=0x7f code=0x50000")
rec(F, "SECCOMP", "auid=0 uid=0 gid=0 ses=1 pid=5 comm=\"x\" exe=\"/x\" sig=0 arch=40000003 syscall=102 compat=1 ip=0x7f code=0x50000")
sa = []
sa.append(fam(1)+b"/run/systemd/notify\0")
sa.append(fam(1)+b"\0abstract-name")
sa.append(fam(1)+b"/tmp/with space\0")
sa.append(fam(1)+b"/x")
sa.append(fam(1)+b"\0")
sa.append(fam(1)+b"A"*120)
sa.append(fam(2)+struct.pack("!H",443)+socket.inet_aton("10.1.2.3")+b"\0"*8)
sa.append(fam(2)+struct.pack("!H",0)+socket.inet_aton("0.0.0.0")+b"\0"*8)
sa.append(fam(2)+struct.pack("!H",53)+socket.inet_aton("127.0.0.53"))
sa.append(fam(10)+struct.pack("!HI",8080,0)+socket.inet_pton(socket.AF_INET6,"2001:db8::1")+struct.pack("=I",0))
sa.append(fam(10)+struct.pack("!HI",22,0)+socket.inet_pton(socket.AF_INET6,"::ffff:192.0.2.1")+struct.pack("=I",0))
sa.append(fam(10)+struct.pack("!HI",22,0)+socket.inet_pton(socket.AF_INET6,"2001:db8::5")+struct.pack("=I",7))
sa.append(fam(10)+struct.pack("!HI",22,0)+socket.inet_pton(socket.AF_INET6,"::1")[:8])
sa.append(fam(16)+b"\0\0"+struct.pack("=II",1234,0))
sa.append(fam(16)+b"\0\0"+struct.pack("=I",0))
sa.append(fam(3)+b"\x82\x84\x86\x88\x8a\x8c\x60")
sa.append(fam(3)+b"\x82\x84\x00\x88\x8a\x8c\x60")
sa.append(fam(4)+struct.pack("=HI",0x1234,0xdeadbeef)+b"\0"*8)
sa.append(fam(8)+b"\0\0"+struct.pack("=hhi",3,0,32)+b"\0"*4)
sa.append(fam(8)+b"\0\0"+struct.pack("=hhi",-2,0,32)+b"\0"*4)
sa.append(fam(9)+b"1234567890123456789\0")
sa.append(fam(9)+b"12345\0")
for f in [0,5,6,7,11,12,13,14,15,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,255,65535]:
    sa.append(fam(f)+b"\0"*14)
for s in sa:
    rec(F, "SOCKADDR", f"saddr={hx(s)}")
rec(F, "SOCKADDR", "saddr=" + "0100" + "41"*200)
rec(F, "SOCKADDR", "saddr=0")
rec(F, "SOCKADDR", "saddr=")
rec(F, "AVC", "apparmor=\"DENIED\" operation=\"connect\" saddr=020000350A010203 pid=1 comm=\"x\"")
rec(F, "NETFILTER_PKT", "mark=0 saddr=10.0.0.1 daddr=10.0.0.2 proto=6")
# the same records from another node, and from this one by name
syscall(F, "c000003e", "59", ids=ids("65534"), node="elsewhere.example")
rec(F, "PATH", "item=0 name=\"/\" inode=2 dev=08:01 mode=040755 ouid=1 ogid=1 rdev=00:00", node="elsewhere.example")
rec(F, "SOCKADDR", "saddr="+hx(fam(2)+struct.pack("!H",80)+socket.inet_aton("10.9.9.9")+b"\0"*8), node="elsewhere.example")
open("families.log","w").write("\n".join(F)+"\n")

H = []
for v in ["abc", "", "4294967296", "99999999999", "18446744073709551615", "1e3", "+5", "-2", " 1"]:
    syscall(H, "c000003e", "2", ids=ids(v))
    rec(H, "PATH", f"item=0 name=\"/\" inode=2 dev=08:01 mode=040755 ouid={v} ogid={v}")
for arch in ["zz", "", "0x", "-1", "c000003e0000000000", "c000003e)"]:
    syscall(H, arch, "59")
for nr in ["abc", "", "-5", "99999999999", "59x"]:
    syscall(H, "c000003e", nr)
for v in ["A", "0Z", "ABC", "02000035ZZ", "(null)", "\"02000035\"", "0", "G", "0" * 1001, "020" + "0" * 30]:
    rec(H, "SOCKADDR", f"saddr={v}")
rec(H, "SOCKADDR", "saddr="+hx(fam(2)))
rec(H, "SOCKADDR", "saddr="+hx(fam(10)+b"\0"*10))
rec(H, "SOCKADDR", "saddr="+hx(fam(3)))
rec(H, "SOCKADDR", "saddr="+hx(fam(9)))
rec(H, "SOCKADDR", "saddr="+hx(fam(8)))
rec(H, "USER_LOGIN", "pid=1 uid=\"0\" auid=? ses=1 msg='op=login id=nobody res=failed'")
open("hostile.log","w").write("\n".join(H)+"\n")
