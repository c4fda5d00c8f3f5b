// Vite's `?raw` suffix imports a file's text (used for the email fixtures in both test runners).
declare module '*?raw' {
  const text: string
  export default text
}

// Vite's import.meta.glob: the test workspace finds each plugin's own test fixtures through it.
interface ImportMeta {
  glob<T = unknown>(pattern: string | string[], options: { eager: true; import?: string }): Record<string, T>
}
