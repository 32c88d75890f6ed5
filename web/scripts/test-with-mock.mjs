//! Runs the browser tests against the mock server: starts
//! scripts/mock-server.mjs on a free port, runs with `node --test` the test
//! files whose endpoints the mock holds (browser.test.mjs, return.test.mjs;
//! the insights and contact-centre tests need `touchpoint serve`) with
//! TOUCHPOINT_URL pointing at it, stops the mock, exits with the tests' code.
//! Needs web/dist (`npm run build`).

import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const webDirectory = join(dirname(fileURLToPath(import.meta.url)), '..')
const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

/** The test files the mock's fixtures can answer. */
const mockTestFiles = ['browser.test.mjs', 'return.test.mjs']

const port = await freePort()
const key = process.env.TOUCHPOINT_KEY ?? 'tp_read_mock'
const mock = spawn(process.execPath, [join(webDirectory, 'scripts', 'mock-server.mjs'), '--port', String(port)], { env: { ...process.env, TOUCHPOINT_KEY: key }, stdio: ['ignore', 'pipe', 'inherit'] })
await new Promise((resolve, reject) => {
  mock.stdout.once('data', resolve)
  mock.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)))
})
const tests = spawn(process.execPath, ['--test', ...mockTestFiles.map((file) => join(webDirectory, 'tests', file))], { env: { ...process.env, TOUCHPOINT_URL: `http://127.0.0.1:${port}`, TOUCHPOINT_KEY: key }, stdio: 'inherit' })
const code = await new Promise((resolve) => tests.once('exit', resolve))
mock.kill()
process.exit(code ?? 1)
