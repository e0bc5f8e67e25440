// Preloaded into the node process that runs Azurite (node -r parent-watch.js azurite.js ...) by
// AzuriteLauncher (copied beside the app), so an Azurite started by the local runner or the tests
// cannot outlive them, even when they are killed with SIGKILL and run no clean-up: its stdin is a
// pipe from the parent, which the kernel closes when the parent dies (EOF here); as a second sign,
// the parent process id changes when the parent is gone (the orphan is re-parented). The launcher
// starts it in a session of its own (setsid), so Ctrl+C at the runner's terminal is not a signal to
// Azurite: this pipe, not the process group, is what ties Azurite's life to the runner's.
// Azurite is then stopped as on SIGTERM (its own handler closes the servers and saves a --location
// store), and made to exit if that has not happened within 3 s.
'use strict';
const parent = process.ppid;
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 3000).unref();
  process.kill(process.pid, 'SIGTERM');
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
setInterval(() => { if (process.ppid !== parent) stop(); }, 500).unref();
