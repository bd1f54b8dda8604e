import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The folder where `npm start` keeps what must survive a restart (its access key, its TLS
 * certificate) and where the CLI finds the certificate to trust: `banguins` in the user's config
 * folder ($XDG_CONFIG_HOME or ~/.config; %APPDATA% on Windows; ~/Library/Application Support on
 * macOS).
 */
export function banguinsConfigFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  const configDir =
    env.XDG_CONFIG_HOME ||
    (platform === 'win32'
      ? env.APPDATA || path.join(home, 'AppData', 'Roaming')
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : path.join(home, '.config'));
  return path.join(configDir, 'banguins');
}

/** Where the local relay keeps its self-signed TLS certificate and its private key (issue 22). */
export function localRelayCertificateFiles(folder: string = banguinsConfigFolder()): { readonly cert: string; readonly key: string } {
  return { cert: path.join(folder, 'local-relay-cert.pem'), key: path.join(folder, 'local-relay-key.pem') };
}
