# CPU ticks and context switches per thread name between two thread-cpu-snapshot.py files:
#   thread-cpu-diff.py BEFORE.json AFTER.json [MESSAGES]   (with MESSAGES: switches per message, i.e. sleeps/wake-ups per message)
import json,sys,collections,re
a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
msgs=int(sys.argv[3]) if len(sys.argv)>3 and int(sys.argv[3])>0 else 0
agg=collections.Counter(); vol=collections.Counter(); us=0; sy=0; v=0; nv=0
for t,row in b.items():
    row=list(row)+[0]*(6-len(row)); n,c,u,s,vc,nc=row
    r0=list(a.get(t,(n,0,0,0,0,0)))+[0]*6
    name=re.sub(r'\d+$','#',n)
    agg[name]+=c-r0[1]; us+=u-r0[2]; sy+=s-r0[3]; vol[name]+=vc-r0[4]; v+=vc-r0[4]; nv+=nc-r0[5]
tot=sum(agg.values())
print(f"total ticks {tot} user {us} sys {sy}; context switches voluntary {v} involuntary {nv}"
      + (f"; per message: {v/msgs:.2f} voluntary, {nv/msgs:.2f} involuntary" if msgs else ""))
for k,x in agg.most_common(15): print(f"{x:6d} ticks {vol[k]:8d} vol. switches" + (f" ({vol[k]/msgs:.2f}/msg)" if msgs else "") + f"  {k}")
