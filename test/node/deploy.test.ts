import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without type declarations
import { bucketNamesFromList, databaseIdFromList, deploySteps, resourcesOf, withDatabaseId } from '../../scripts/lib/deploy-plan.mjs'

const root = join(import.meta.dirname, '..', '..')
const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8')
const existingId = '4f1c1a52-9a3e-4c55-8d55-0123456789ab'

/** `npm run deploy -- --plan …` with a copy of wrangler.toml (the script reads only that file). */
function plan(config: string, ...args: string[]) {
  const directory = mkdtempSync(join(tmpdir(), 'deploy-plan-'))
  const path = join(directory, 'wrangler.toml')
  writeFileSync(path, config)
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'deploy.mjs'), '--plan', '--config', path, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TURSO_AUTH_TOKEN: 'tok', TURSO_DATABASE_URL: 'libsql://x' },
  })
  return { ...result, unchanged: readFileSync(path, 'utf8') === config }
}

describe('npm run deploy --plan', () => {
  it('prints every wrangler command in order (create D1, R2, Queue; migrations remote; secrets; deploy) and the Email Routing step, changing nothing', () => {
    const result = plan(toml, '--from', 'support@acme.com', '--app-url', 'https://support.acme.com')
    expect(result.status).toBe(0)
    const commands = result.stdout
      .split('\n')
      .filter((line) => line.trim().startsWith('npx wrangler'))
      .map((line) =>
        line
          .trim()
          .split('    #')[0]!
          .replace(/ --config \S+/, ''),
      )
    expect(commands).toEqual([
      'npx wrangler d1 list --json',
      'npx wrangler r2 bucket list',
      'npx wrangler queues info switchboard-outbound',
      'npx wrangler d1 create switchboard',
      'npx wrangler r2 bucket create switchboard-attachments',
      'npx wrangler queues create switchboard-outbound',
      'npx wrangler d1 migrations apply DB --remote',
      'npx wrangler secret put TURSO_DATABASE_URL < $TURSO_DATABASE_URL',
      'npx wrangler secret put TURSO_AUTH_TOKEN < $TURSO_AUTH_TOKEN',
      'npx wrangler deploy --var NOTIFICATION_FROM:support@acme.com --var APP_URL:https://support.acme.com',
    ])
    expect(result.stdout).toContain('Email Routing')
    expect(result.stdout).toContain('reply+<conversation>@acme.com')
    expect(result.stdout).not.toContain('tok')
    expect(result.unchanged).toBe(true)
  })

  it('reuses the database id already in wrangler.toml instead of creating one', () => {
    const result = plan(withDatabaseId(toml, existingId), '--from', 'support@acme.com')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(`reuse D1 database switchboard (${existingId})`)
    expect(result.stdout).not.toContain('d1 create')
  })

  it('refuses to run without a valid sender address or with a malformed app URL', () => {
    expect(plan(toml).status).toBe(2)
    expect(plan(toml, '--from', 'not-an-address').status).toBe(2)
    expect(plan(toml, '--from', 'a@b.co', '--app-url', 'support.acme.com/path').status).toBe(2)
  })
})

describe('the deploy plan reads what the account already has', () => {
  it('parses wrangler’s d1 list --json and r2 bucket list output, and skips what exists', () => {
    expect(
      databaseIdFromList(
        JSON.stringify([
          { uuid: 'x-1', name: 'other' },
          { uuid: existingId, name: 'switchboard' },
        ]),
        'switchboard',
      ),
    ).toBe(existingId)
    expect(databaseIdFromList('[]', 'switchboard')).toBeNull()
    expect(
      bucketNamesFromList('name:           switchboard-attachments\ncreation_date:  2026-01-01T00:00:00.000Z\n\nname:           logs\ncreation_date:  x\n'),
    ).toEqual(['switchboard-attachments', 'logs'])
    const resources = resourcesOf(toml)
    expect(resources).toEqual({ databaseName: 'switchboard', databaseId: null, bucketName: 'switchboard-attachments', queueName: 'switchboard-outbound' })
    const steps = deploySteps(resources, { databaseId: existingId, buckets: ['switchboard-attachments'], queueExists: true }, { vars: {}, secrets: [] })
    expect(steps.filter((step: { args?: string[] }) => step.args).map((step: { args: string[] }) => step.args.join(' '))).toEqual([
      'd1 migrations apply DB --remote',
      'deploy',
    ])
    expect(resourcesOf(withDatabaseId(toml, existingId)).databaseId).toBe(existingId)
    expect(() => withDatabaseId(toml, '"; rm -rf')).toThrow()
  })
})
