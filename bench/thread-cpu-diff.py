# CPU ticks per thread name between two thread-cpu-snapshot.py files: thread-cpu-diff.py BEFORE.json AFTER.json
import json,sys,collections,re
a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
agg=collections.Counter(); us=0; sy=0
for t,(n,c,u,s) in b.items():
    c0=a.get(t,(n,0,0,0))
    agg[re.sub(r'\d+$','#',n)]+=c-c0[1]; us+=u-c0[2]; sy+=s-c0[3]
tot=sum(agg.values())
print(f"total ticks {tot} user {us} sys {sy}")
for k,v in agg.most_common(15): print(f"{v:6d} {k}")
