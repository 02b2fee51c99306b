// Type of the virtual module the web-test-runner plugin serves to browser tests.
declare module '/__flock/server.js' {
  /** Base URL of the local server started for this test run. */
  export const SERVER_URL: string;
}
