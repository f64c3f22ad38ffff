// The ceiling: a bare node:http server answering POST /token with a fixed token response.
import { createServer } from 'node:http';

const body = JSON.stringify({ access_token: 'x', token_type: 'Bearer', expires_in: 3600 });
const port = Number(process.env.PORT ?? 0);

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/token') {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      });
      res.end(body);
    });
    return;
  }
  res.writeHead(404).end();
});

server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
