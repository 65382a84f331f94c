// Runs an ONNX policy with ONNX Runtime (onnxruntime-node) on observations (CSV lines) and
// prints the actions, one CSV line each. Usage: node ort_run.js MODEL.onnx OBS.csv
// (NODE_PATH names the node_modules folder onnxruntime-node was installed into).
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, obsFile] = process.argv.slice(2);
  const rows = fs.readFileSync(obsFile, 'utf8').split('\n').filter((l) => l.length > 0)
    .map((l) => l.split(',').map(Number));
  const n = rows.length, d = rows[0].length;
  const data = new Float32Array(n * d);
  rows.forEach((r, i) => r.forEach((v, j) => { data[i * d + j] = v; }));
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ obs: new ort.Tensor('float32', data, [n, d]) });
  const a = out.action;
  const k = a.dims[1];
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(Array.from(a.data.slice(i * k, (i + 1) * k)).join(','));
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
