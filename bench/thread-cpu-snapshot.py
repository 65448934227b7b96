# Per-thread CPU ticks and context switches of a process from /proc: thread-cpu-snapshot.py PID OUT.json (see thread-cpu-diff.py)
import os,sys,json
pid=sys.argv[1]
d={}
for t in os.listdir(f"/proc/{pid}/task"):
    try:
        s=open(f"/proc/{pid}/task/{t}/stat").read()
        name=s[s.index('(')+1:s.rindex(')')]
        f=s[s.rindex(')')+2:].split()
        st=dict(l.split(":\t",1) for l in open(f"/proc/{pid}/task/{t}/status").read().splitlines() if ":\t" in l)
        # a voluntary switch is a thread going to sleep (park, epoll wait): one per wake-up it later needs
        d[t]=(name,int(f[11])+int(f[12]), int(f[11]), int(f[12]), int(st["voluntary_ctxt_switches"]), int(st["nonvoluntary_ctxt_switches"]))
    except Exception: pass
json.dump(d,open(sys.argv[2],"w"))
