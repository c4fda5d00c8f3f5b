/** As wrangler.toml's [triggers] crons (test/node/self-host.test.ts keeps them equal). */
export const crons = ['17 3 * * *', '*/5 * * * *']
