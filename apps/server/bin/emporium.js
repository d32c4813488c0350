#!/usr/bin/env node
// The emporium CLI. npm scripts and npx put the project's pinned Node 24 first on the PATH;
// a bare `node` from elsewhere may be older, so say so plainly instead of failing obscurely.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `emporium: needs Node 24 (this is Node ${process.versions.node}); run it through npm (npm start, npx emporium), which uses the Node pinned in the project\n`,
  );
  process.exit(1);
}
await import('../src/cli/main.ts');
