/** Every element of index.html the script drives, looked up once by id. */
export interface PageElements {
  readonly status: HTMLElement;
  readonly error: HTMLElement;
  readonly home: HTMLElement;
  readonly dropZone: HTMLElement;
  readonly fileInput: HTMLInputElement;
  readonly scanButton: HTMLButtonElement;
  readonly linkForm: HTMLFormElement;
  readonly linkInput: HTMLInputElement;
  readonly scanner: HTMLElement;
  readonly camera: HTMLVideoElement;
  readonly scanCancel: HTMLButtonElement;
  readonly pairing: HTMLElement;
  readonly qrCode: HTMLCanvasElement;
  readonly pairingLink: HTMLInputElement;
  readonly copyLink: HTMLButtonElement;
  readonly transfer: HTMLElement;
  readonly transferTitle: HTMLElement;
  readonly fileList: HTMLUListElement;
  readonly cancelButton: HTMLButtonElement;
  readonly againButton: HTMLButtonElement;
  /** Which path carries the bytes, and its rate (path-line.ts). */
  readonly pathLine: HTMLElement;
  /** The connection settings (path-settings.ts). */
  readonly relayOnly: HTMLInputElement;
  readonly iceServers: HTMLInputElement;
  readonly iceServersError: HTMLElement;
}

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html lacks the ${type.name} #${id}`);
  return element;
}

/** Finds the page's elements; throws naming the first one index.html lacks. */
export function findPageElements(): PageElements {
  return {
    status: byId('status', HTMLElement),
    error: byId('error', HTMLElement),
    home: byId('home', HTMLElement),
    dropZone: byId('drop-zone', HTMLElement),
    fileInput: byId('file-input', HTMLInputElement),
    scanButton: byId('scan-button', HTMLButtonElement),
    linkForm: byId('link-form', HTMLFormElement),
    linkInput: byId('link-input', HTMLInputElement),
    scanner: byId('scanner', HTMLElement),
    camera: byId('camera', HTMLVideoElement),
    scanCancel: byId('scan-cancel', HTMLButtonElement),
    pairing: byId('pairing', HTMLElement),
    qrCode: byId('qr-code', HTMLCanvasElement),
    pairingLink: byId('pairing-link', HTMLInputElement),
    copyLink: byId('copy-link', HTMLButtonElement),
    transfer: byId('transfer', HTMLElement),
    transferTitle: byId('transfer-title', HTMLElement),
    fileList: byId('file-list', HTMLUListElement),
    cancelButton: byId('cancel-button', HTMLButtonElement),
    againButton: byId('again-button', HTMLButtonElement),
    pathLine: byId('path-line', HTMLElement),
    relayOnly: byId('relay-only', HTMLInputElement),
    iceServers: byId('ice-servers', HTMLInputElement),
    iceServersError: byId('ice-servers-error', HTMLElement),
  };
}

/** Which of the page's screens is showing. */
export type Screen = 'home' | 'scanner' | 'pairing' | 'transfer';

/** Shows the given screens and hides the others. */
export function showScreens(elements: PageElements, ...screens: Screen[]): void {
  const all: Record<Screen, HTMLElement> = { home: elements.home, scanner: elements.scanner, pairing: elements.pairing, transfer: elements.transfer };
  for (const [name, element] of Object.entries(all) as [Screen, HTMLElement][]) element.hidden = !screens.includes(name);
}

/** Sets the one-line status; `busy` greys it (e.g. while reconnecting). */
export function setStatus(elements: PageElements, text: string, busy = false): void {
  elements.status.textContent = text;
  elements.status.classList.toggle('reconnecting', busy);
}

/** Shows an error a person can act on, or hides it when `text` is undefined. */
export function setError(elements: PageElements, text: string | undefined): void {
  elements.error.textContent = text ?? '';
  elements.error.hidden = text === undefined;
}
