# Cross-validated check of the urgency weights and of candidate signals, before any change to
# functions/SocialHandoff.Core/Scoring/Urgency/urgency-defaults.json is accepted.
#
# 1. Scores complaints-dev with the configured weights (reads urgency-defaults.json and reproduces the
#    engine's tokenizer and cue matching: the in-sample AUC and F1 equal those printed by `eval`).
# 2. Refits the cue-group and shape weights by L2 logistic regression (Newton steps; no third-party
#    packages) in repeated 5-fold cross-validation and reports, at the FIXED configured threshold
#    (AttentionThreshold, not re-chosen per fold), F1 and AUC per fold as mean +/- standard deviation.
#    Crisis and risk groups keep their hand-set points (the set has almost none of them).
#    The "addressed to a customer-care account" flag (CareHandlePoints, CareHandleTerms) is read and refitted too.
#    Word evidence (urgency-word-evidence.tsv, WordEvidencePoints): inside each fold the table is rebuilt
#    from the training rows only, and its weight is fitted on out-of-fold evidence; --no-evidence leaves it out.
#    --write-evidence FILE writes the table fitted on all rows (the shipped file).
# 3. With --candidates FILE (see candidate-groups.json) does the same with extra cue groups and
#    customer-care handle fragments added, so a candidate is judged by CV, not in-sample.
#
# Input: the TSV written by
#   dotnet run -c Release --project tests/SocialHandoff.Benchmarks -- export-complaints > /tmp/complaints.tsv
# Usage: python3 cv_urgency.py /tmp/complaints.tsv [--candidates candidate-groups.json] [--repeats 5] [--weights]
# Train and tune only on ../shared/data dev files (see ../shared/data/README.md).
import argparse, copy, json, math, os, random, re

HERE = os.path.dirname(os.path.abspath(__file__))
URGENCY_DIR = os.path.join(HERE, '..', '..', '..', 'functions', 'SocialHandoff.Core', 'Scoring', 'Urgency')
DEFAULTS = os.path.join(URGENCY_DIR, 'urgency-defaults.json')
EVIDENCE = os.path.join(URGENCY_DIR, 'urgency-word-evidence.tsv')
# Word evidence: a word counts only when seen in this many rows from this many domains of the set,
# so a brand's or product's own name (one domain) never becomes evidence.
EVIDENCE_MIN_ROWS, EVIDENCE_MIN_DOMAINS, EVIDENCE_SMOOTHING = 2, 2, 1.0
FIXED = {'crisis', 'risk'}
SEEDS = (7, 11, 23, 42, 99, 3, 5, 13, 17, 19)


_FOLD = {**{c: 'a' for c in 'àáâãäå'}, 'ç': 'c', **{c: 'e' for c in 'èéêë'}, **{c: 'i' for c in 'ìíîï'}, 'ñ': 'n',
         **{c: 'o' for c in 'òóôõö'}, **{c: 'u' for c in 'ùúûü'}, 'ý': 'y', 'ÿ': 'y', '\u2019': "'"}


def fold(text):
    """The engine's MentionLanguage.Fold: lower case, Latin accents dropped, curly apostrophe straight."""
    return ''.join(_FOLD.get(c, c) for c in text.lower())


def read(text):
    """The engine's UrgencyScorer.Read: words (lower case, links and @handles left out) and the shape."""
    words, shape, handles = [], dict(handle=False, starts=False, link=False, q=False, ex=False, num=False, tags=0), []
    for i, tok in enumerate(text.split()):
        low = tok.lower()
        if low.startswith(('http://', 'https://', 'www.')):
            shape['link'] = True
            continue
        if tok.startswith('@') and len(tok) > 1 and (tok[1].isalnum() or tok[1] == '_'):
            shape['handle'] = True
            shape['starts'] |= i == 0
            end = 1
            while end < len(tok) and (tok[end].isalnum() or tok[end] == '_'):
                end += 1
            handles.append(tok[1:end].lower())
            tok = tok[end:]
        w = ''
        for k, c in enumerate(tok + ' '):
            if c.isalpha() or c in "'\u2019":
                w += fold(c)
                continue
            if w:
                words.append(w)
                w = ''
            if c == '?':
                shape['q'] = True
            elif c == '!':
                shape['ex'] = True
            elif c == '#' and k + 1 < len(tok) and tok[k + 1].isalnum():
                shape['tags'] += 1
            elif c.isascii() and c.isdigit():
                shape['num'] = True
    return words, shape, handles


def counts(words, groups):
    single, phrases, n = {}, {}, [0] * len(groups)
    for g, group in enumerate(groups):
        for term in group['Terms']:
            parts = fold(term.strip()).split()
            if len(parts) == 1:
                single.setdefault(parts[0], set()).add(g)
            else:
                phrases.setdefault(parts[0], []).append((parts[1:], g))
    for i, w in enumerate(words):
        for g in single.get(w, ()):
            n[g] += 1
        for rest, g in phrases.get(w, ()):
            if words[i + 1:i + 1 + len(rest)] == rest:
                n[g] += 1
    return n


def is_care(handles, care_terms):
    """The engine's care-account flag: some @handle contains a configured fragment (help, support, care...)."""
    return any(t in h for h in handles for t in care_terms)


def evidence_table(texts, y, domains):
    """Naive Bayes log-count ratio per word: log P(word | complaint) - log P(word | not), add-one smoothed,
    from distinct words per row; only words seen in EVIDENCE_MIN_ROWS rows of EVIDENCE_MIN_DOMAINS domains."""
    seen, where = [{}, {}], {}
    for text, label, domain in zip(texts, y, domains):
        for w in set(read(text)[0]):
            seen[label][w] = seen[label].get(w, 0) + 1
            where.setdefault(w, set()).add(domain)
    n1, n0, a = sum(y), len(y) - sum(y), EVIDENCE_SMOOTHING
    table = {}
    for w, doms in where.items():
        c1, c0 = seen[1].get(w, 0), seen[0].get(w, 0)
        if c1 + c0 >= EVIDENCE_MIN_ROWS and len(doms) >= EVIDENCE_MIN_DOMAINS and any(c.isalpha() for c in w):
            table[w] = math.log((c1 + a) / (n1 + 2 * a)) - math.log((c0 + a) / (n0 + 2 * a))
    return table


def evidence(table, text):
    """The engine's word evidence: the sum of the table's values over the text's distinct words."""
    return sum(table.get(w, 0.0) for w in set(read(text)[0]))


def out_of_fold_evidence(texts, y, domains, rows, seed):
    """Evidence for each of rows from a table that did not see that row (inner 5-fold), so the weight
    fitted on it is the weight a table earns on unseen text."""
    order = rows[:]
    random.Random(seed).shuffle(order)
    out = {}
    for k in range(5):
        held = set(order[k::5])
        fit = [i for i in rows if i not in held]
        table = evidence_table([texts[i] for i in fit], [y[i] for i in fit], [domains[i] for i in fit])
        for i in held:
            out[i] = evidence(table, texts[i])
    return out


def read_evidence(path):
    table = {}
    if os.path.exists(path):
        for line in open(path, encoding='utf-8'):
            if line.strip() and not line.startswith('#'):
                w, v = line.rstrip('\n').split('\t')
                table[w] = float(v)
    return table


def engine_points(cfg, text, comp, table):
    words, s, handles = read(text)
    groups = cfg['CueGroups']
    c = counts(words, groups)
    p = cfg['BasePoints'] + sum(g['PointsPerMatch'] * min(c[i], g['MaxMatches']) for i, g in enumerate(groups))
    if s['handle']:
        p += cfg['AddressedToBrandPoints'] + (cfg['QuestionToBrandPoints'] if s['q'] else 0)
    p += cfg['StartsWithHandlePoints'] * s['starts'] + cfg['QuestionMarkPoints'] * s['q'] + cfg['ExclamationPoints'] * s['ex']
    p += cfg['LinkPoints'] * s['link'] + cfg['NumberPoints'] * s['num'] + cfg['HashtagPoints'] * min(s['tags'], cfg['MaxHashtags'])
    p += cfg['LengthPointsPerLogWords'] * math.log(1 + len(words)) if words else 0
    p += cfg['NegativeSentimentPoints'] * -comp if comp < 0 else cfg['PositiveSentimentPoints'] * comp
    p += cfg.get('CareHandlePoints', 0) * is_care(handles, care_terms_of(cfg))
    p += cfg.get('WordEvidencePoints', 0) * evidence(table, text)
    return p


def care_terms_of(cfg):
    return [t.strip().lower() for t in cfg.get('CareHandleTerms', []) if t.strip()]


def features(cfg, care_terms, text, comp, word_evidence):
    words, s, handles = read(text)
    groups = cfg['CueGroups']
    c = counts(words, groups)
    offset, f = 0.0, []
    for i, g in enumerate(groups):
        v = min(c[i], g['MaxMatches'])
        if g['Name'] in FIXED:
            offset += g['PointsPerMatch'] * v / 10
        else:
            f.append(v)
    f += [s['handle'], s['handle'] and s['q'], s['starts'], s['q'], s['ex'], s['link'], s['num'], min(s['tags'], cfg['MaxHashtags']),
          math.log(1 + len(words)) if words else 0.0, max(0, -comp), max(0, comp)]
    if care_terms:
        f.append(is_care(handles, care_terms))
    if word_evidence is not None:
        f.append(word_evidence)
    return [float(x) for x in f], offset


def names(cfg, care_terms, use_evidence):
    return [g['Name'] for g in cfg['CueGroups'] if g['Name'] not in FIXED] + \
        ['handle', 'handle_q', 'starts', 'q', 'ex', 'link', 'num', 'tags', 'len', 'neg', 'pos'] + (['care_handle'] if care_terms else []) + \
        (['word_evidence'] if use_evidence else [])


def solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def train(x, o, y, l2=0.5, iterations=15):
    d = len(x[0]) + 1
    w = [0.0] * d
    for _ in range(iterations):
        g, h = [0.0] * d, [[0.0] * d for _ in range(d)]
        for xi, oi, yi in zip(x, o, y):
            row = [1.0] + xi
            z = oi + sum(a * b for a, b in zip(w, row))
            p = 1 / (1 + math.exp(-z))
            nz = [(j, v) for j, v in enumerate(row) if v]
            for j, v in nz:
                g[j] += (p - yi) * v
                for k, u in nz:
                    h[j][k] += p * (1 - p) * v * u
        for j in range(1, d):
            g[j] += l2 * w[j]
            h[j][j] += l2
        step = solve(h, g)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def auc(s, y):
    order = sorted(range(len(s)), key=lambda k: s[k])
    ranks, i = [0.0] * len(s), 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and s[order[j + 1]] == s[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    p = sum(y)
    return (sum(r for r, l in zip(ranks, y) if l) - p * (p + 1) / 2) / (p * (len(y) - p))


def f1(pred, y):
    tp = sum(1 for a, b in zip(pred, y) if a and b)
    fp = sum(1 for a, b in zip(pred, y) if a and not b)
    fn = sum(1 for a, b in zip(pred, y) if b and not a)
    return 2 * tp / (2 * tp + fp + fn)


def cross_validate(cfg, care_terms, data, repeats, l2, use_evidence):
    texts, y, domains = [d[2] for d in data], [d[0] for d in data], [d[3] for d in data]

    def design(rows, word_evidence):
        xo = [features(cfg, care_terms, data[i][2], data[i][1], word_evidence[i] if use_evidence else None) for i in rows]
        return [a for a, _ in xo], [b for _, b in xo]

    threshold = math.log(cfg['AttentionThreshold'] / (100 - cfg['AttentionThreshold']))
    fold_f1, fold_auc = [], []
    everyone = list(range(len(data)))
    for seed in SEEDS[:repeats]:
        random.seed(seed)
        order = everyone[:]
        random.shuffle(order)
        for k in range(5):
            test = order[k::5]
            held = set(test)
            rest = [i for i in everyone if i not in held]
            # The word table is part of what is trained: the held-out fold never reaches it.
            fit_evidence = out_of_fold_evidence(texts, y, domains, rest, seed * 10 + k) if use_evidence else {}
            table = evidence_table([texts[i] for i in rest], [y[i] for i in rest], [domains[i] for i in rest]) if use_evidence else {}
            x, o = design(rest, fit_evidence)
            w = train(x, o, [y[i] for i in rest], l2)
            xt, ot = design(test, {i: evidence(table, texts[i]) for i in test})
            s = [b + w[0] + sum(u * v for u, v in zip(w[1:], a)) for a, b in zip(xt, ot)]
            fold_f1.append(f1([v >= threshold for v in s], [y[i] for i in test]))
            fold_auc.append(auc(s, [y[i] for i in test]))
    x, o = design(everyone, out_of_fold_evidence(texts, y, domains, everyone, 1) if use_evidence else {})
    return fold_f1, fold_auc, train(x, o, y, l2)


def summary(v):
    mean = sum(v) / len(v)
    sd = (sum((a - mean) ** 2 for a in v) / (len(v) - 1)) ** 0.5
    return f'{mean:.4f} +/- {sd:.4f} (min {min(v):.3f}, max {max(v):.3f})'


EVIDENCE_HEADER = """# Word evidence for the urgency score: for each word, log P(word | complaint) - log P(word | not a complaint),
# from the distinct words of each row of ../shared/data/complaints/complaints-dev.csv ({rows} rows), add-one
# smoothed; only words found in at least {min_rows} rows from at least {min_domains} domains ({words} words).
# A mention's evidence is the sum over its distinct words; it adds WordEvidencePoints per unit.
# Written by: python3 tests/SocialHandoff.Benchmarks/Fitting/cv_urgency.py /tmp/complaints.tsv --write-evidence <this file>
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tsv', nargs='?', default='/tmp/complaints.tsv')
    ap.add_argument('--defaults', default=DEFAULTS)
    ap.add_argument('--candidates', help='JSON: {"CueGroups": [...], "CareHandleTerms": [...]} added to the defaults')
    ap.add_argument('--repeats', type=int, default=5, help='repeats of 5-fold CV with different shuffles (at most 10)')
    ap.add_argument('--l2', type=float, default=0.5)
    ap.add_argument('--weights', action='store_true', help='print the weights fitted on all rows (points = 10 x logit)')
    ap.add_argument('--evidence', default=EVIDENCE, help='the word evidence table the engine ships (for the in-sample line)')
    ap.add_argument('--no-evidence', action='store_true', help='leave the word evidence out of the refit (the model before it)')
    ap.add_argument('--write-evidence', metavar='TSV', help='write the word evidence table fitted on all rows (the shipped file)')
    args = ap.parse_args()
    rows = [line.rstrip('\n').split('\t') for line in open(args.tsv, encoding='utf-8')]
    data = [(int(r[0]), float(r[1]), r[5], r[2]) for r in rows]
    cfg = json.load(open(args.defaults, encoding='utf-8'))
    y = [d[0] for d in data]
    if args.write_evidence:
        table = evidence_table([d[2] for d in data], y, [d[3] for d in data])
        with open(args.write_evidence, 'w', encoding='utf-8', newline='\n') as out:
            out.write(EVIDENCE_HEADER.format(rows=len(data), words=len(table), min_rows=EVIDENCE_MIN_ROWS, min_domains=EVIDENCE_MIN_DOMAINS))
            for w in sorted(table):
                out.write(f'{w}\t{table[w]:.3f}\n')
        print(f'wrote {len(table)} words to {args.write_evidence}')
    table = read_evidence(args.evidence)
    s = [engine_points(cfg, t, c, table) for _, c, t, _ in data]
    pred = [round(100 / (1 + math.exp(-v / cfg['PointsPerLogit']))) >= cfg['AttentionThreshold'] for v in s]
    print(f'configured weights, in-sample: AUC {auc(s, y):.4f}  F1 at urgency >= {cfg["AttentionThreshold"]} {f1(pred, y):.4f}')
    runs = [('refit, configured groups', cfg, care_terms_of(cfg))]
    if args.candidates:
        cand = json.load(open(args.candidates, encoding='utf-8'))
        extended = copy.deepcopy(cfg)
        extended['CueGroups'] += cand.get('CueGroups', [])
        runs.append(('refit, with candidates', extended, sorted(set(care_terms_of(cfg)) | set(care_terms_of(cand)))))
    use_evidence = not args.no_evidence
    for label, c, care in runs:
        ff, aa, w = cross_validate(c, care, data, args.repeats, args.l2, use_evidence)
        print(f'{label}: {args.repeats}x5-fold CV ({len(ff)} folds), threshold fixed at urgency {c["AttentionThreshold"]}')
        print(f'  F1  {summary(ff)}')
        print(f'  AUC {summary(aa)}')
        if args.weights:
            print(f'  BasePoints {w[0] * 10:.1f}')
            for n, v in zip(names(c, care, use_evidence), w[1:]):
                print(f'  {n:<20} {v * 10:6.1f}')


if __name__ == '__main__':
    main()
