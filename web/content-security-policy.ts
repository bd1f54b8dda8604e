/**
 * The page's Content-Security-Policy, served by the local relay and by CloudFront: scripts, styles
 * and fetches only from the page's own origin (and its own blob: files), sockets to any ws:/wss:
 * relay, images from the page, data: (the favicon) and blob:; no plugins, frames, forms or <base>.
 * A script that got into the page some other way (a name shown as HTML, say) cannot run inline or
 * load from elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss: blob:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
