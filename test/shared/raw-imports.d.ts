// Vite's `?raw` suffix imports a file's text (used for the email fixtures in both test runners).
declare module '*?raw' {
  const text: string
  export default text
}
