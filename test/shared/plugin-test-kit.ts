/**
 * What a plugin's own tests (plugins/<id>/test/*.test.ts) use besides vitest and cloudflare:test:
 * the worker, a fresh test workspace, requests as an agent, the tables to check what was stored,
 * and the queue's delivery step. Plugins' tests import this file, never core's modules, so a
 * plugin folder holds no import of src/services, src/db, src/rooms or src/routes.
 */
export { default as worker } from '../../src/index'
export { contacts, conversations, messages } from '../../src/db/schema'
export { appendMessage } from '../../src/services/messages'
export { deliver } from '../../src/services/outbound'
export { db, form, login, origin, request, workspace } from '../workers/helpers'
