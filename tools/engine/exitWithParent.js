// Preloaded into the policy pack's process (`node --require`, see policyPack.ts): its stdin
// is a pipe only the parent holds, and the kernel closes that pipe when the parent ends in
// any way, kill -9 included. Then the pack ends too, instead of serving no one.
"use strict";
const leave = () => process.exit(0);
process.stdin.on("end", leave);
process.stdin.on("error", leave);
process.stdin.resume();
// The pack's own work keeps the process alive, not this watch.
process.stdin.unref?.();
