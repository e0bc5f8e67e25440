// Scores the texts in argv[2] (one JSON string per line) with the npm port of VADER, first once to
// report its compounds, then repeatedly for argv[3] seconds on one thread to report texts/s.
'use strict';
const fs = require('fs');
const vader = require('vader-sentiment');
const texts = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l.length > 0).map(l => JSON.parse(l));
const seconds = Number(process.argv[3] || 3);
const compounds = texts.map(t => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound);
let scored = 0;
const start = process.hrtime.bigint();
const deadline = start + BigInt(Math.round(seconds * 1e9));
let now = start;
while (now < deadline) {
  for (const t of texts) vader.SentimentIntensityAnalyzer.polarity_scores(t);
  scored += texts.length;
  now = process.hrtime.bigint();
}
const elapsed = Number(now - start) / 1e9;
process.stdout.write(JSON.stringify({ textsPerSecond: scored / elapsed, compounds }));
