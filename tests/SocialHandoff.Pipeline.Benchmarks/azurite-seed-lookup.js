// Preloaded into the benchmark's Azurite (NODE_OPTIONS=--require, ApiBenchmark.cs) so a queue can be
// grown to 50,000 open handoffs in minutes. Azurite's table store looks an entity up with
// findOne({ PartitionKey, RowKey }); lokijs uses an index only for the first term of such an AND, so
// every insert, upsert, merge, delete and point read scans all rows of its partition, and loading one
// partition of n rows costs n^2/2 row visits (150,000 rows: about half an hour). While switched on
// (SIGUSR2 toggles; the state is printed), the same AND is evaluated RowKey first, with lokijs's own
// RowKey index: the same entity or none, found in log n. The benchmark switches it on for the bulk
// load only and off before it measures, so every figure is stock Azurite.
'use strict';
const path = require('path');
let on = false;
try {
  const Loki = require(require.resolve('lokijs', { paths: [path.dirname(process.argv[1])] }));
  const findOne = Loki.Collection.prototype.findOne;
  Loki.Collection.prototype.findOne = function (query) {
    if (on && query && !this.cloneObjects && this.binaryIndices.RowKey && Object.keys(query).length === 2
        && typeof query.PartitionKey === 'string' && typeof query.RowKey === 'string') {
      const found = this.chain().find({ RowKey: query.RowKey }).find({ PartitionKey: query.PartitionKey }, true).data();
      return found.length === 0 ? null : found[0];
    }
    return findOne.call(this, query);
  };
  process.on('SIGUSR2', () => {
    on = !on;
    process.stdout.write(`seed lookup ${on ? 'on' : 'off'}\n`);
  });
} catch (e) {
  process.stdout.write(`seed lookup unavailable: ${e.message}\n`);
}
