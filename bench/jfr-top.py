# Aggregates a JFR recording: jdk.ExecutionSample per thread, top frames, inclusive frames. Usage: jfr-top.py FILE.jfr [DEPTH]
import json,sys,collections,subprocess
f=sys.argv[1]; depth=int(sys.argv[2]) if len(sys.argv)>2 else 1
out=subprocess.run(["jfr","print","--json","--events","jdk.ExecutionSample",f],capture_output=True,text=True).stdout
d=json.loads(out)
ev=d["recording"]["events"]
top=collections.Counter(); incl=collections.Counter(); threads=collections.Counter()
for e in ev:
    fr=e["values"]["stackTrace"]["frames"] if e["values"]["stackTrace"] else []
    names=[x["method"]["type"]["name"]+"."+x["method"]["name"] for x in fr]
    if names: top[" <- ".join(names[:depth])]+=1
    for n in set(names): incl[n]+=1
    threads[e["values"]["sampledThread"]["javaName"] if e["values"]["sampledThread"] else "?"]+=1
n=len(ev); print("samples",n)
print("== threads"); [print(f"{c:6d} {c*100/n:5.1f}% {k}") for k,c in threads.most_common(12)]
print("== top frames"); [print(f"{c:6d} {c*100/n:5.1f}% {k}") for k,c in top.most_common(25)]
print("== inclusive"); [print(f"{c:6d} {c*100/n:5.1f}% {k}") for k,c in incl.most_common(45)]
