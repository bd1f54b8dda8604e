import { parsePairingLink } from '../../client';
import { loadPageConfig, type PageConfig } from './config';
import { describeError } from './error-text';
import { PathSettings, relayOnlyFromAddress } from './path-settings';
import { findPageElements, setError, setStatus, showScreens, type PageElements } from './page-elements';
import { scanQrCode, type QrScan } from './qr-scanner';
import { runReceiveFlow } from './receive-flow';
import { relayUrlForSending, rememberRelayKey, takeRelayKeyFromAddress } from './relay-key-store';
import { runSendFlow } from './send-flow';
import { linkThroughOwnAddress, relayUrlForLinks } from './lan-links';

const INSECURE_PAGE =
  'This page was opened over plain http from another address, where browsers allow no encryption and no camera. Open it over https (the AWS deployment, or the address `npm start -- --lan` prints) or as http://localhost on the relay computer, or use `banguins receive` with the link.';

/** How long a receiver waits for config.json (its ICE servers) before it starts without them. */
const CONFIG_WAIT_MS = 3000;

/** The page's URL without query or fragment: what a pairing link opens. */
function pageUrl(): string {
  return `${location.origin}${location.pathname}`;
}

/** Whether the address bar holds a pairing link (the fragment carries relay, id and key). */
function hasLinkInAddress(): boolean {
  return /(^|&)key=/.test(location.hash.slice(1));
}

/** Checks a link before starting; shows the problem and returns false when it is not a pairing link. */
function checkLink(elements: PageElements, link: string): boolean {
  try {
    parsePairingLink(link);
    return true;
  } catch (error) {
    setError(elements, describeError(error, { role: 'receive', paired: false }));
    return false;
  }
}

function startReceive(elements: PageElements, config: Promise<PageConfig>, settings: PathSettings, link: string): void {
  setError(elements, undefined);
  if (!checkLink(elements, link)) return;
  // The link names the relay; config.json only adds its ICE servers and its LAN address, if it loads (soon).
  const loaded = Promise.race([config.catch(() => undefined), new Promise<undefined>((resolve) => setTimeout(resolve, CONFIG_WAIT_MS))]);
  void loaded.then((found) =>
    runReceiveFlow({ elements, link: found ? linkThroughOwnAddress(link, found) : link, pathOptions: settings.sessionOptions(found?.iceServers) }),
  );
}

function startSend(elements: PageElements, config: Promise<PageConfig>, settings: PathSettings, files: File[]): void {
  if (files.length === 0) return;
  setError(elements, undefined);
  config.then(
    (loaded) => {
      const relayUrl = relayUrlForSending(loaded.relayUrl);
      runSendFlow({
        elements,
        relayUrl,
        linkRelayUrl: relayUrlForLinks(loaded, relayUrl),
        pageUrl: loaded.linkPageUrl ?? pageUrl(),
        files,
        pathOptions: settings.sessionOptions(loaded.iceServers),
      });
    },
    (error: unknown) => setError(elements, describeError(error, { role: 'send', paired: false })),
  );
}

function wireDropZone(elements: PageElements, onFiles: (files: File[]) => void): void {
  const { dropZone, fileInput } = elements;
  fileInput.addEventListener('change', () => {
    onFiles(Array.from(fileInput.files ?? []));
    fileInput.value = '';
  });
  // Dropping anywhere on the page sends; a file dropped outside the zone must not open in the tab.
  document.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (!elements.home.hidden) dropZone.classList.add('dragging');
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) dropZone.classList.remove('dragging');
  });
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    if (elements.home.hidden) return;
    onFiles(Array.from(event.dataTransfer?.files ?? []));
  });
}

function wireScanner(elements: PageElements, onLink: (link: string) => void): void {
  let scan: QrScan | undefined;
  const stop = (): void => {
    scan?.stop();
    scan = undefined;
    showScreens(elements, 'home');
    setStatus(elements, '');
    elements.scanButton.focus();
  };
  elements.scanButton.addEventListener('click', () => {
    setError(elements, undefined);
    showScreens(elements, 'scanner');
    setStatus(elements, 'Starting the camera…');
    elements.scanCancel.focus();
    const current = scanQrCode(elements.camera);
    scan = current;
    elements.camera.addEventListener('playing', () => scan === current && setStatus(elements, 'Looking for a QR code…'), { once: true });
    current.result.then(
      (text) => {
        if (scan !== current) return;
        scan = undefined;
        onLink(text);
      },
      (error: unknown) => {
        if (scan !== current) return;
        stop();
        setError(elements, describeError(error, { role: 'receive', paired: false }));
      },
    );
  });
  elements.scanCancel.addEventListener('click', stop);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && scan) stop();
  });
}

function wireCopyButton(elements: PageElements): void {
  const { copyLink, pairingLink } = elements;
  copyLink.addEventListener('click', () => {
    const done = (label: string): void => {
      copyLink.textContent = label;
      setTimeout(() => (copyLink.textContent = 'Copy'), 2000);
    };
    pairingLink.select();
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(pairingLink.value).then(
        () => done('Copied'),
        () => done(document.execCommand('copy') ? 'Copied' : 'Select and copy'),
      );
    } else {
      done(document.execCommand('copy') ? 'Copied' : 'Select and copy');
    }
  });
  pairingLink.addEventListener('focus', () => pairingLink.select());
}

/** Wires the page up: send by picking or dropping files, receive by link, scan or the address bar. */
function start(): void {
  const elements = findPageElements();
  const settings = new PathSettings(elements, relayOnlyFromAddress(location.search));
  const addressKey = takeRelayKeyFromAddress();
  const config = loadPageConfig(location.href).then((loaded) => {
    if (addressKey !== undefined) rememberRelayKey(loaded.relayUrl, addressKey);
    return loaded;
  });
  // A receiver opened from a link needs no config: the link names its relay.
  config.catch(() => undefined);

  const receive = (link: string): void => startReceive(elements, config, settings, link);
  wireDropZone(elements, (files) => startSend(elements, config, settings, files));
  wireScanner(elements, receive);
  wireCopyButton(elements);
  elements.linkForm.addEventListener('submit', (event) => {
    event.preventDefault();
    receive(elements.linkInput.value);
  });
  // The query (?relay-only) stays: it chose this page's path.
  elements.againButton.addEventListener('click', () => location.replace(`${pageUrl()}${location.search}`));
  // Opening a second link in the same tab only changes the fragment: start that transfer too.
  window.addEventListener('hashchange', () => {
    const key = takeRelayKeyFromAddress();
    if (key !== undefined) void config.then((loaded) => rememberRelayKey(loaded.relayUrl, key), () => undefined);
    if (hasLinkInAddress() && !elements.home.hidden) receive(location.href);
  });

  showScreens(elements, 'home');
  if (!window.isSecureContext || !globalThis.crypto?.subtle) {
    // Browsers give WebCrypto (and the camera) only to https pages and localhost: nothing can work here.
    setError(elements, INSECURE_PAGE);
    return;
  }
  if (hasLinkInAddress()) receive(location.href);
  else config.catch((error: unknown) => setError(elements, describeError(error, { role: 'send', paired: false })));
}

start();
