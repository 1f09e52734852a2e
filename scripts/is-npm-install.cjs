// npm runs a script named "prepare" after every `npm install` / `npm ci`. Ours generates data,
// which only `npm run prepare` should do: this exits 0 (stop) while npm is installing, 1 otherwise.
process.exit(['install', 'ci', 'i'].includes(process.env.npm_command ?? '') ? 0 : 1);
