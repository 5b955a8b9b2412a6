// The ceiling of Node's HTTP stack for the tile benchmark: a bare node:http server (no framework,
// no routing, no file system after start) answering the same tile URLs from memory with the same
// headers our server sends (type, length, ETag, Last-Modified, Cache-Control, CORS, nosniff,
// Accept-Ranges). Not a server for use: it has no 304, Range or errors. Run as a child process:
//   node bench/rawTileServer.mjs <hipsRoot> <port>   (prints "listening" when ready)
import { createServer } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const [root, port] = process.argv.slice(2);
const TYPES = { '.webp': 'image/webp', '.jpg': 'image/jpeg', '.png': 'image/png', '.fits': 'application/fits' };
const files = new Map();
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (/^(Npix\d+|Allsky)\.(webp|jpg|png|fits)$/.test(name)) {
      const body = readFileSync(p);
      const mtime = st.mtime.getTime();
      files.set('/hips/' + relative(root, p).split('\\').join('/'), {
        body,
        headers: [
          'x-content-type-options', 'nosniff', 'access-control-allow-origin', '*', 'cache-control', 'public, max-age=86400',
          'content-type', TYPES[name.slice(name.lastIndexOf('.'))], 'accept-ranges', 'bytes',
          'etag', `W/"${body.length.toString(16)}-${mtime.toString(16)}"`, 'last-modified', new Date(mtime).toUTCString(),
          'content-length', String(body.length),
        ],
      });
    }
  }
};
walk(root);
createServer((req, res) => {
  const f = files.get(req.url);
  if (f === undefined) {
    res.writeHead(404, ['content-length', '0']);
    res.end();
    return;
  }
  res.writeHead(200, f.headers);
  res.end(f.body);
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
