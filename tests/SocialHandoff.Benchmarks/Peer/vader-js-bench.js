// Scores the texts in argv[2] (one JSON string per line) with the npm port of VADER. Writes one JSON
// line with the compound of each text, then serves timing rounds: for each line "<seconds>" read on
// stdin it scores all the texts on one thread, in whole passes, until that time has passed, and
// writes {"textsPerSecond": ...}. Ends when stdin closes, so the caller can alternate rounds with
// its own and both engines meet the same machine load.
'use strict';
const fs = require('fs');
const readline = require('readline');
const vader = require('vader-sentiment');
const texts = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(l => l.length > 0).map(l => JSON.parse(l));
const compounds = texts.map(t => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound);
process.stdout.write(JSON.stringify({ compounds }) + '\n');

function round(seconds) {
  let scored = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (const t of texts) vader.SentimentIntensityAnalyzer.polarity_scores(t);
    scored += texts.length;
    now = process.hrtime.bigint();
  }
  return scored / (Number(now - start) / 1e9);
}

readline.createInterface({ input: process.stdin }).on('line', line => {
  process.stdout.write(JSON.stringify({ textsPerSecond: round(Number(line)) }) + '\n');
});
