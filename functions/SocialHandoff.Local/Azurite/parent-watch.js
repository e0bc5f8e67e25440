// Preloaded into the node process that runs Azurite (node -r parent-watch.js azurite.js ...) by
// AzuriteLauncher (copied beside the app), so an Azurite started by the local runner or the tests cannot outlive them, even
// when they are killed with SIGKILL and run no clean-up: its stdin is a pipe from the parent, which
// the kernel closes when the parent dies (EOF here); as a second signal, the parent process id
// changes when the parent is gone (the orphan is re-parented).
'use strict';
const parent = process.ppid;
const quit = () => process.exit(0);
process.stdin.on('end', quit);
process.stdin.on('close', quit);
process.stdin.on('error', quit);
process.stdin.resume();
setInterval(() => { if (process.ppid !== parent) quit(); }, 500).unref();
