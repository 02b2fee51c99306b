/** Base URL of the local server that the web-test-runner plugin started for this run (browser tests only). */
export async function localServerUrl(): Promise<string> {
  const response = await fetch('/__flock/server.json');
  if (!response.ok) throw new Error(`no local server for this test run: ${response.status}`);
  const { url } = (await response.json()) as { url: string };
  return url;
}
