import { createServer, type Server } from 'node:http'
import Database from 'libsql'

/**
 * A stand-in for a libSQL server (Turso) speaking Hrana 2 over HTTP as documented
 * (github.com/tursodatabase/libsql/blob/main/docs/HRANA_2_SPEC.md, "Hrana over HTTP"): the
 * version probe answers 404 for v3-protobuf so the client uses `POST /v2/pipeline` with JSON,
 * a baton keeps one stream (one SQLite connection, so a transaction) across requests, and each
 * request is execute, batch (with step conditions), sequence, store_sql/close_sql, get_autocommit
 * or close. Backed by
 * a SQLite file, so the self-host's HTTP path (`@libsql/client/web`) is exercised offline.
 */
type Value =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string }
type Stmt = { sql?: string; sql_id?: number; args?: Value[]; named_args?: { name: string; value: Value }[]; want_rows?: boolean }
type Condition =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: Condition }
  | { type: 'and' | 'or'; conds: Condition[] }
  | { type: 'is_autocommit' }

export async function startHranaStandIn(file: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const streams = new Map<string, InstanceType<typeof Database>>()
  /** Statements stored with store_sql, per stream (the client refers to repeated SQL by id). */
  const storedSql = new WeakMap<InstanceType<typeof Database>, Map<number, string>>()
  const requests: string[] = []
  let nextBaton = 0

  const decode = (value: Value): unknown => {
    switch (value.type) {
      case 'null':
        return null
      case 'integer':
        return BigInt(value.value)
      case 'float':
        return value.value
      case 'text':
        return value.value
      case 'blob':
        return Buffer.from(value.base64, 'base64')
    }
  }
  const encode = (value: unknown): Value => {
    if (value === null || value === undefined) return { type: 'null' }
    if (typeof value === 'bigint') return { type: 'integer', value: value.toString() }
    if (typeof value === 'number') return { type: 'float', value }
    if (typeof value === 'string') return { type: 'text', value }
    return { type: 'blob', base64: Buffer.from(value as Uint8Array).toString('base64') }
  }

  function execute(db: InstanceType<typeof Database>, stmt: Stmt) {
    const sql = stmt.sql ?? storedSql.get(db)?.get(stmt.sql_id!)
    if (sql === undefined) throw new Error(`unknown sql_id ${stmt.sql_id}`)
    const statement = db.prepare(sql)
    const args = stmt.named_args?.length
      ? Object.fromEntries(stmt.named_args.map((arg) => [arg.name.replace(/^[:@$]/, ''), decode(arg.value)]))
      : (stmt.args ?? []).map(decode)
    if (statement.reader) {
      statement.safeIntegers(true)
      const columns = statement.columns() as { name: string; type: string | null }[]
      const rows = (statement.raw(true).all(args) as unknown[][]).map((row) => row.map(encode))
      return { cols: columns.map((column) => ({ name: column.name, decltype: column.type })), rows, affected_row_count: 0, last_insert_rowid: null }
    }
    const info = statement.run(args) as { changes: number; lastInsertRowid: number | bigint }
    return { cols: [], rows: [], affected_row_count: info.changes, last_insert_rowid: String(info.lastInsertRowid) }
  }

  function holds(condition: Condition | undefined, results: unknown[], errors: unknown[], db: InstanceType<typeof Database>): boolean {
    if (!condition) return true
    switch (condition.type) {
      case 'ok':
        return results[condition.step] != null
      case 'error':
        return errors[condition.step] != null
      case 'not':
        return !holds(condition.cond, results, errors, db)
      case 'and':
        return condition.conds.every((inner) => holds(inner, results, errors, db))
      case 'or':
        return condition.conds.some((inner) => holds(inner, results, errors, db))
      case 'is_autocommit':
        return !db.inTransaction
    }
  }

  const fail = (error: unknown) => ({ type: 'error', error: { message: error instanceof Error ? error.message : String(error), code: 'SQLITE_ERROR' } })

  function handle(
    db: InstanceType<typeof Database>,
    request: { type: string; stmt?: Stmt; batch?: { steps: { condition?: Condition; stmt: Stmt }[] }; sql?: string; sql_id?: number },
  ) {
    requests.push(request.type)
    try {
      switch (request.type) {
        case 'execute':
          return { type: 'ok', response: { type: 'execute', result: execute(db, request.stmt!) } }
        case 'batch': {
          const results: unknown[] = []
          const errors: unknown[] = []
          request.batch!.steps.forEach((step, index) => {
            results[index] = null
            errors[index] = null
            if (!holds(step.condition, results, errors, db)) return
            try {
              results[index] = execute(db, step.stmt)
            } catch (error) {
              errors[index] = fail(error).error
            }
          })
          return { type: 'ok', response: { type: 'batch', result: { step_results: results, step_errors: errors } } }
        }
        case 'sequence':
          db.exec(request.sql!)
          return { type: 'ok', response: { type: 'sequence' } }
        case 'store_sql': {
          const stored = storedSql.get(db) ?? new Map<number, string>()
          stored.set(request.sql_id!, request.sql!)
          storedSql.set(db, stored)
          return { type: 'ok', response: { type: 'store_sql' } }
        }
        case 'close_sql':
          storedSql.get(db)?.delete(request.sql_id!)
          return { type: 'ok', response: { type: 'close_sql' } }
        case 'get_autocommit':
          return { type: 'ok', response: { type: 'get_autocommit', is_autocommit: !db.inTransaction } }
        case 'close':
          return { type: 'ok', response: { type: 'close' } }
        default:
          return fail(new Error(`unsupported request ${request.type}`))
      }
    } catch (error) {
      return fail(error)
    }
  }

  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v2/pipeline') {
        response.statusCode = 404
        return response.end()
      }
      const pipeline = JSON.parse(body) as { baton: string | null; requests: { type: string }[] }
      let baton = pipeline.baton
      let db = baton ? streams.get(baton) : undefined
      if (baton && !db) {
        response.statusCode = 400
        return response.end(JSON.stringify({ message: 'unknown baton' }))
      }
      if (!db) {
        db = new Database(file)
        db.exec('PRAGMA foreign_keys = ON')
        db.exec('PRAGMA busy_timeout = 5000')
      }
      const results = pipeline.requests.map((item) => handle(db, item as Parameters<typeof handle>[1]))
      if (baton) streams.delete(baton)
      const closed = pipeline.requests.some((item) => item.type === 'close')
      if (closed) {
        db.close()
        baton = null
      } else {
        baton = `b${++nextBaton}`
        streams.set(baton, db)
      }
      response.setHeader('Content-Type', 'application/json')
      response.end(JSON.stringify({ baton, base_url: null, results }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const db of streams.values()) db.close()
        server.close(() => resolve())
      }),
  }
}
