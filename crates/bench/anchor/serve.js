'use strict';
// The PouchDB anchor's server for the realistic workloads and for runs over a shaped link
// (issue 25): express-pouchdb (minimumForPouchDB) over leveldb in --dir, on --host, port 0,
// counting every TCP byte at its sockets and every HTTP request, as the anchor's own server.js
// does. Started by crates/bench/src/anchor_server.rs, possibly inside a network namespace.
//   stdout: one line `{"ready": true, "port": P, "control_port": C}` when listening;
//   stdin:  a line `stats` answers one line `{"up", "down", "requests", "connections"}`;
//   GET http://HOST:C/stats answers the same (for workloads.js; not counted, its own port).
// It stops when stdin closes (the bench ended or was killed).

const http = require('http');
const path = require('path');
const readline = require('readline');
const express = require('express');
const expressPouchDB = require('express-pouchdb');
const PouchDB = require('pouchdb-node');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : def;
}
const host = arg('host', '127.0.0.1');
const dir = arg('dir', null);
if (!dir) {
  console.error('serve.js needs --dir (where the server keeps its leveldb databases)');
  process.exit(2);
}

const ServerPouch = PouchDB.defaults({ prefix: path.join(dir, 'server-') });
const app = express();
app.use('/', expressPouchDB(ServerPouch, { mode: 'minimumForPouchDB', logPath: path.join(dir, 'log.txt') }));
const server = http.createServer(app);
server.keepAliveTimeout = 30000;

// Bytes of closed sockets plus those of open ones: nothing is lost when a connection closes.
const live = new Set();
const totals = { up: 0, down: 0, requests: 0, connections: 0 };
server.on('connection', (sock) => {
  totals.connections++;
  live.add(sock);
  sock.on('close', () => {
    totals.up += sock.bytesRead;
    totals.down += sock.bytesWritten;
    live.delete(sock);
  });
});
server.on('request', () => { totals.requests++; });
function stats() {
  let up = totals.up;
  let down = totals.down;
  for (const s of live) { up += s.bytesRead; down += s.bytesWritten; }
  return { up, down, requests: totals.requests, connections: totals.connections };
}

const control = http.createServer((req, res) => {
  if (req.url === '/stats') {
    const body = JSON.stringify(stats());
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404);
    res.end();
  }
});

let listening = 0;
function ready() {
  if (++listening < 2) return;
  process.stdout.write(JSON.stringify({ ready: true, port: server.address().port, control_port: control.address().port }) + '\n');
}
server.listen(0, host, ready);
control.listen(0, host, ready);

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(JSON.stringify(stats()) + '\n');
});
lines.on('close', () => {
  server.close();
  control.close();
  if (server.closeAllConnections) server.closeAllConnections();
  setTimeout(() => process.exit(0), 100).unref();
});
