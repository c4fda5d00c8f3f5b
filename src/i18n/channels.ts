import { defineCatalog } from './define'

/**
 * Channel plugins' names and settings fields as the UI shows them. Keys follow the plugin's id
 * and its settings keys (`channel.<id>`, `field.<key>`, `secret.<key>`); a plugin the catalog
 * does not know keeps the name and labels it declares itself.
 */
export default defineCatalog({
  en: {
    'channel.chat': 'Live chat',
    'channel.email': 'Email',
    'channel.messenger': 'Facebook Messenger',
    'channel.forms': 'Forms',
    'channel.calls': 'Calls',
    'field.phoneNumber': 'Phone number',
    'field.allowedOrigins': 'Allowed origins',
    'field.greeting': 'Greeting',
    'field.chatflow': 'Chatflow',
    'field.language': 'Widget language (auto follows the visitor’s browser)',
    'field.addresses': 'Addresses',
    'field.fromName': 'From name',
    'field.pageId': 'Page id',
    'field.pageName': 'Page name',
    'field.verifyToken': 'Verify token',
    'field.formName': 'Form name',
    'field.redirectUrl': 'Redirect url',
    'field.one_per_line': 'One per line',
    'secret.webhookToken': 'Webhook token (sent as a Bearer token)',
    'secret.appSecret': 'App secret (signs Meta’s webhooks)',
  },
  nb: {
    'channel.chat': 'Livechat',
    'channel.email': 'E-post',
    'channel.messenger': 'Facebook Messenger',
    'channel.forms': 'Skjemaer',
    'channel.calls': 'Anrop',
    'field.phoneNumber': 'Telefonnummer',
    'field.allowedOrigins': 'Tillatte opphav',
    'field.greeting': 'Hilsen',
    'field.chatflow': 'Chatflyt',
    'field.language': 'Språk i chatvinduet (auto følger den besøkendes nettleser)',
    'field.addresses': 'Adresser',
    'field.fromName': 'Avsendernavn',
    'field.pageId': 'Side-ID',
    'field.pageName': 'Sidenavn',
    'field.verifyToken': 'Verifiseringstoken',
    'field.formName': 'Skjemanavn',
    'field.redirectUrl': 'Videresendings-URL',
    'field.one_per_line': 'Én per linje',
    'secret.webhookToken': 'Webhook-token (sendes som Bearer-token)',
    'secret.appSecret': 'Apphemmelighet (signerer Metas webhooks)',
  },
})
