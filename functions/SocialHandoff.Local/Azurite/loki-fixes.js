// Preloaded into the node process that runs Azurite (beside parent-watch.js) by AzuriteLauncher.
// Azurite keeps queue messages and message extents in LokiJS collections with binary indices, and
// LokiJS rebuilds every index of a collection (a full sort of each) on any batch removal, even of
// nothing. Azurite's queue calls one on every receive, delete and update (it clears expired
// messages first, usually none), and its extent GC removes each unreferenced extent on its own.
// So each queue request cost O(M log M) in the messages held across all queues (team queues nobody
// drains locally included), and the GC a minute pause per ~10,000 messages handled: cost grew
// with the backlog, not the work. Here an empty removal removes nothing, and a removal of one
// document takes LokiJS's single-document path, which keeps the indices up to date in place.
// Also, LokiJS answers a query of several fields through the index of the first field only, and
// Azurite's queries start with accountName, which every message shares (one emulator account), or
// with an entity's PartitionKey (a team's index partition holds every open handoff of the team):
// each receive and delete scanned every message, each insert the whole partition. The indexed
// field whose value matches the fewest documents goes first (the same conditions, all still applied).
// Same documents found and removed, same events; lokijs is the copy Azurite itself loads (tools/azurite).
'use strict';
const path = require('path');
const script = process.argv[1];
// Azurite must start whatever its lokijs looks like: a copy this file does not know is left as it is.
let loki;
try {
  loki = require(require.resolve('lokijs', { paths: [path.dirname(script)] }));
} catch (e) {
  process.stderr.write(`loki-fixes: not applied (${e.message})\n`);
  return;
}
const { Collection, Resultset } = loki;
if (!Collection?.prototype?.removeBatchByPositions || !Resultset?.prototype?.find) {
  process.stderr.write('loki-fixes: not applied (lokijs without removeBatchByPositions or Resultset.find)\n');
  return;
}
const removeBatch = Collection.prototype.removeBatch;
const removeBatchByPositions = Collection.prototype.removeBatchByPositions;
Collection.prototype.removeBatch = function (batch) {
  if (batch.length === 0) return;
  return removeBatch.call(this, batch);
};
Collection.prototype.removeBatchByPositions = function (positions) {
  if (positions.length === 0) return;
  if (positions.length === 1 && this.adaptiveBinaryIndices && this.data[positions[0]] !== undefined) {
    this.remove(this.data[positions[0]]);
    return;
  }
  return removeBatchByPositions.call(this, positions);
};
const find = Resultset.prototype.find;
Resultset.prototype.find = function (query, firstOnly) {
  return find.call(this, this.filterInitialized ? query : narrowestFirst(this.collection, query), firstOnly);
};

// The query with its plain equality on the indexed field that matches the fewest documents first
// (two binary searches per indexed field); the conditions and so the result are unchanged.
function narrowestFirst(collection, query) {
  if (query === null || typeof query !== 'object' || Array.isArray(query)) return query;
  const keys = Object.keys(query);
  if (keys.length < 2) return query;
  let best = 0;
  let bestSize = Infinity;
  for (let i = 0; i < keys.length; i++) {
    const value = query[keys[i]];
    if (!collection.binaryIndices[keys[i]] || (value !== null && typeof value === 'object')) continue;
    collection.ensureIndex(keys[i]);
    const [start, end] = collection.calculateRange('$eq', keys[i], value);
    if (end - start < bestSize) {
      best = i;
      bestSize = end - start;
    }
  }
  if (best === 0) return query;
  const first = keys[best];
  const reordered = { [first]: query[first] };
  for (const key of keys) {
    if (key !== first) reordered[key] = query[key];
  }
  return reordered;
}
