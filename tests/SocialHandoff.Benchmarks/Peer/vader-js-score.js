// The JS port as a whole process, doing what `score` does for sentiment: reads JSON lines with a
// "text" field on stdin, scores each with the npm port of VADER and writes one JSON line per input
// ({"line","compound","pos","neu","neg"}) to stdout, buffered. A line that is not JSON gets an error line.
'use strict';
const readline = require('readline');
const vader = require('vader-sentiment');
let line = 0;
let out = [];
function flush() {
  if (out.length > 0) {
    process.stdout.write(out.join(''));
    out = [];
  }
}
readline.createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', raw => {
  line++;
  try {
    const input = raw.trimStart().startsWith('{') ? JSON.parse(raw) : { text: raw };
    const s = vader.SentimentIntensityAnalyzer.polarity_scores(String(input.text ?? ''));
    out.push(JSON.stringify({ line, compound: s.compound, pos: s.pos, neu: s.neu, neg: s.neg }) + '\n');
  } catch (e) {
    out.push(JSON.stringify({ line, error: String(e.message) }) + '\n');
  }
  if (out.length >= 512) flush();
}).on('close', flush);
