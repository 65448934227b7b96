# Per-thread CPU ticks of a process from /proc: thread-cpu-snapshot.py PID OUT.json (see thread-cpu-diff.py)
import os,sys,json
pid=sys.argv[1]
d={}
for t in os.listdir(f"/proc/{pid}/task"):
    try:
        s=open(f"/proc/{pid}/task/{t}/stat").read()
        name=s[s.index('(')+1:s.rindex(')')]
        f=s[s.rindex(')')+2:].split()
        d[t]=(name,int(f[11])+int(f[12]), int(f[11]), int(f[12]))
    except Exception: pass
json.dump(d,open(sys.argv[2],"w"))
