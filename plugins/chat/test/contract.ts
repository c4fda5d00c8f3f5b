import type { PluginContract } from '../../../test/shared/plugin-fixtures'

/** The test workspace's chat channel and a visitor's message as its ConversationRoom hands it over. */
export const contract: PluginContract = {
  settings: () => ({ allowedOrigins: [] }),
  inbound: {
    kind: 'input',
    input: (tag, id) => ({ type: 'event', payload: { visitorId: `v-${tag}`, sessionKey: `s-${tag}`, clientMessageId: id, text: 'Hello from the widget' } }),
    expectText: 'Hello from the widget',
  },
}
