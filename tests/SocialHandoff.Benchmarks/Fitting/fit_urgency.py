# How the default urgency weights in functions/SocialHandoff.Core/Scoring/Urgency/urgency-defaults.json
# were fitted: logistic regression (L2, plain gradient descent, no third-party packages) on the cue
# groups and message-shape features, trained on ../shared/data/complaints/complaints-dev.csv only,
# with 5-fold cross-validation to estimate what held-back data will see.
# Input: a TSV of label, compound, domain, neg, pos, text (the engine's own compound per row), e.g.
#   dotnet run -c Release --project tests/SocialHandoff.Benchmarks -- export-complaints > /tmp/complaints.tsv
# Output: cross-validated AUC and F1, then the weights (x10 = points in urgency-defaults.json).
# Last run: cv AUC 0.877, best cv F1 0.731 at logit -0.5 (urgency 38, the default threshold).
import sys
import re, math, random, sys
rows=[l.rstrip('\n').split('\t') for l in open(sys.argv[1] if len(sys.argv) > 1 else '/tmp/complaints.tsv')]
data=[(int(r[0]), float(r[1]), r[2], r[5]) for r in rows]
G = {
 'problem': "broken broke breaks break issue issues problem problems error errors fail failed fails failing failure crash crashes crashed crashing stuck missing wrong damaged defective faulty ripped torn late delayed delay delays cancelled canceled lost stolen expired bug bugs glitch outage down disconnected unable freezing freezes frozen leaking leak dead slow empty overcharged scam".split(),
 'negation': "not no never can't cant cannot won't wont doesn't doesnt didn't didnt isn't isnt haven't havent hasn't hasnt wasn't aren't don't dont couldn't nothing nobody none".split(),
 'persist': "still again yet waiting wait waited hours days weeks months since anymore already ever twice".split(),
 'money': "refund refunds refunded charged charge charges billed bill payment paid pay money price prices fee fees overcharged".split(),
 'service': "order ordered orders delivery delivered deliver package parcel account subscription card app website site store shop driver update phone email customer service support replacement return warranty item product shipping shipped flight train bus".split(),
 'anger': "disappointed disappointing unacceptable ridiculous terrible awful worst poor rude useless horrible pathetic joke shocking appalling annoyed frustrated frustrating angry sick tired fed seriously wtf ugh".split(),
 'action': "fix fixed resolve sort explain respond response reply answer answered unanswered ignored ignoring complaint complain complained contact called call".split(),
 'praise': "thanks thank love loved loving great awesome amazing best favorite favourite excited congrats congratulations happy enjoy enjoyed nice beautiful perfect wonderful proud glad fantastic excellent cool fun".split(),
 'why': "why how what".split(),
 'please': "please pls plz help".split(),
 'bought': "bought ordered received got sent paid purchased booked signed tried spent called emailed contacted returned".split(),
 'you': "you your you're you've yours u ur guys".split(),
 'casual': "lol haha hahaha lmao omg rt love xd".split(),
 'my': "my me i i'm i've".split(),
}
idx={}
for g,ws in G.items():
    for w in ws: idx.setdefault(w,[]).append(g)
groups=list(G)
def feats(text, comp):
    t=text.lower()
    has_handle = 1 if re.search(r'@\w', text) else 0
    starts_handle = 1 if text.strip().startswith('@') else 0
    url = 1 if 'http' in t else 0
    q = 1 if '?' in t else 0
    ex = 1 if '!' in t else 0
    words=re.findall(r"[a-z']+", re.sub(r'https?://\S+|@\w+','',t))
    c={g:0 for g in groups}
    for w in words:
        for g in idx.get(w,[]): c[g]+=1
    f=[min(c[g],3) for g in groups]
    digits = 1 if re.search(r'\d', re.sub(r'https?://\S+|@\w+','',t)) else 0
    tags = min(3, len(re.findall(r'#\w', t)))
    f+= [digits, tags, has_handle, starts_handle, url, q, ex, max(0,-comp), max(0,comp), has_handle*q, has_handle*max(0,-comp), math.log1p(len(words))]
    return f
names=groups+['digits','tags','handle','starts','url','q','ex','neg','pos','handle_q','handle_neg','len']
X=[feats(d[3],d[1]) for d in data]; y=[d[0] for d in data]
def train(X,y,l2=0.5,epochs=1500,lr=0.5):
    n=len(X[0]); w=[0.0]*n; b=0.0
    for e in range(epochs):
        gw=[0.0]*n; gb=0.0
        for xi,yi in zip(X,y):
            z=b+sum(a*c for a,c in zip(w,xi)); p=1/(1+math.exp(-z)); d=p-yi
            gb+=d
            for j in range(n): gw[j]+=d*xi[j]
        m=len(X)
        b-=lr*gb/m
        for j in range(n): w[j]-=lr*(gw[j]/m+l2*w[j]/m)
    return w,b
def score(w,b,x): return b+sum(a*c for a,c in zip(w,x))
def auc(s,y):
    pos=[a for a,l in zip(s,y) if l]; neg=[a for a,l in zip(s,y) if not l]
    r=sorted([(v,l) for v,l in zip(s,y)])
    # rank-based
    import itertools
    ranks={};i=0
    sv=sorted(range(len(s)),key=lambda k:s[k]); rk=[0]*len(s)
    while i<len(sv):
        j=i
        while j+1<len(sv) and s[sv[j+1]]==s[sv[i]]: j+=1
        for k in range(i,j+1): rk[sv[k]]=(i+j)/2+1
        i=j+1
    P=sum(y); N=len(y)-P
    return (sum(rk[k] for k in range(len(y)) if y[k])-P*(P+1)/2)/(P*N)
def f1(pred,y):
    tp=sum(1 for p,l in zip(pred,y) if p and l); fp=sum(1 for p,l in zip(pred,y) if p and not l); fn=sum(1 for p,l in zip(pred,y) if not p and l)
    return 2*tp/(2*tp+fp+fn)
random.seed(7); order=list(range(len(X))); random.shuffle(order)
K=5; S=[0]*len(X)
for k in range(K):
    test=set(order[k::K]); tr=[i for i in range(len(X)) if i not in test]
    w,b=train([X[i] for i in tr],[y[i] for i in tr])
    for i in test: S[i]=score(w,b,X[i])
print('cv auc %.4f f1@0 %.4f'%(auc(S,y), f1([s>0 for s in S],y)))
best=max((f1([s>t for s in S],y),t) for t in [x/10 for x in range(-20,20)])
print('best f1 %.4f at %.1f'%best)
w,b=train(X,y)
print('bias %.2f'%b)
for n_,wi in sorted(zip(names,w),key=lambda p:-abs(p[1])): print('%-12s %6.2f'%(n_,wi))
