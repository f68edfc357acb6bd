/** Help texts of the `scanbridge` command; every command answers --help. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notRunning: 3, config: 4 } as const;

export const COMMANDS: Record<string, { summary: string; usage: string }> = {
  run: {
    summary: 'run the service in the foreground',
    usage: `scanbridge run [--home DIR] [--http-port N] [--https-port N] [--welcome-http-port N] [--welcome-https-port N]
               [--bind-address ADDR] [--log-level LEVEL] [--memory-budget-mb N] [--cache-dir DIR]
               [--session-idle-timeout SECONDS] [--allowed-origins LIST] [--max-body-mb N] [--quiet]

Runs the service until SIGINT/SIGTERM. Every setting of scanbridge.ini can be given as a flag
(see the README's configuration reference); flags win over the environment, which wins over the ini.
Port 0 means "any free port"; the ports used are written to port.lock.`,
  },
  monitor: {
    summary: 'run the service under a monitor that restarts it when it crashes',
    usage: `scanbridge monitor [--home DIR] [every flag of \`scanbridge run\`] [--quiet] [--keep-trust]

Starts \`scanbridge run\` as a child process and restarts it within a second when it exits
unexpectedly, backing off up to 30 s while it keeps crashing. Crash reports go to dump/.
A configuration problem (exit code 4) is not retried. Stop it with \`scanbridge stop\`.
--keep-trust (used by \`scanbridge install\`'s registration) trusts the certificate in this user's
browser stores at start and every day, and in a Firefox profile made while it runs within seconds.`,
  },
  stop: {
    summary: 'stop the service (and its monitor) running on the service folder',
    usage: `scanbridge stop [--home DIR] [--quiet]

Sends SIGTERM to the monitor and the service and waits for them to exit: running jobs end with
service-stopping, pages acquired so far are kept. Exit code 3 when nothing was running.`,
  },
  install: {
    summary: 'start scanbridge at login (systemd user unit, LaunchAgent, logon task) and start it now',
    usage: `scanbridge install [--home DIR] [--no-start]

Checks the configuration, generates the TLS certificate and trusts it for this user (\`scanbridge cert
install\`, without the system store), registers \`scanbridge monitor\` to start at
login as this user (Linux: ~/.config/systemd/user/scanbridge.service; macOS:
~/Library/LaunchAgents/org.scanbridge.service.plist; Windows: a Task Scheduler logon task), and
starts it. Without a reachable service manager it starts the monitor in the background.`,
  },
  uninstall: {
    summary: 'stop scanbridge and remove its login registration (and, asked or with --purge, its folder)',
    usage: `scanbridge uninstall [--home DIR] [--purge]

Stops the monitor and the service, removes the login registration and the certificate's trust
(\`scanbridge cert remove\`), and deletes the service folder
(scanned pages, logs, certificate) when confirmed or with --purge.`,
  },
  cert: {
    summary: 'make the browsers trust the HTTPS certificate, remove that trust, or show where it is trusted',
    usage: `scanbridge cert install | remove | status [--home DIR] [--json] [--no-system]

install: makes the service folder's local CA (cert/scanbridge-ca.crt, generated on this machine,
valid only for 127.0.0.1, localhost and ::1) trusted. Linux: Chromium/Chrome ($HOME/.pki/nssdb) and
every Firefox profile named in a profiles.ini ($XDG_CONFIG_HOME/mozilla/firefox, ~/.mozilla/firefox,
the snap's and the flatpak's), with NSS certutil (Debian package libnss3-tools); as root also the
system store (update-ca-certificates) unless --no-system is given. macOS: the login keychain.
Windows: the user's Root store.
remove: takes exactly that CA out of every store again (--no-system: not out of the system store).
status: where it is trusted, each Firefox profile on its own line (exit code 0 when every browser
store trusts it). Restart open browsers after a change.`,
  },
  origins: {
    summary: 'list, allow or revoke the websites allowed to use the scanners',
    usage: `scanbridge origins list [--json] | allow <origin> | revoke <origin> [--home DIR]

An origin is written exactly as browsers send it: https://app.example.com (no path, no trailing
slash, no default port). Revoking stops the website's tokens at once. Origins set by the
administrator (AllowedOrigins in scanbridge.ini) can only be removed there.`,
  },
  status: {
    summary: 'tell whether the service runs, where, and with which version',
    usage: `scanbridge status [--home DIR] [--json]

Exit code 0 when running, 3 when not running.`,
  },
  devices: {
    summary: 'list the scanners the running service sees; add or remove network scanners by URL',
    usage: `scanbridge devices [--home DIR] [--refresh] [--json]
scanbridge devices --capabilities ID [--json] [--home DIR]
scanbridge devices network [--json] | add <url> | remove <url> | unpin <url|uuid> [--home DIR]

Lists scanner ids (tab-separated: id, vendor and model, type). --capabilities ID: what the device can
do (sources, modes, resolutions, scan area in mm, paper sizes, every raw option with its range and
value), as text or as GetCapabilities answers it (--json).
Network (eSCL) scanners are found on the local network by themselves; one on another subnet is
added by URL (http://192.168.7.20/eSCL; a bare host gets /eSCL) and kept across restarts. network:
the scanners listed by URL, by the administrator (EsclScanners) or with add. unpin: forget the
HTTPS certificate pinned for a scanner, after it was reset or got a new one.`,
  },
  barcodes: {
    summary: 'read the barcodes on image, PDF or TIFF files',
    usage: `scanbridge barcodes FILE... [--formats LIST] [--region X,Y,W,H | X,Y,W,H%] [--try-invert] [--timeout MS] [--json]

Reads every code on each page of the files (JPEG, PNG, BMP, TIFF, WebP, PDF rendered at 300 dpi) on
this machine, with the service's reader; no running service is needed. Text out: one line per code,
FILE (FILE#PAGE for several pages), format and text, tab-separated; --json: one entry per page with
format, text, bytes (base64), position (page pixels) and orientation of each code.
--formats: a comma-separated list (Code128,QRCode,...; default all). --region: pixels, or percent with %.
Exit code 1 when a file could not be read (the others are still read).`,
  },
  ocr: {
    summary: 'recognise the text of image, PDF or TIFF files',
    usage: `scanbridge ocr FILE... [--lang deu+eng] [--psm N] [--out FILE.txt|FILE.xml|FILE.hocr|FILE.pdf] [--json]

Recognises the text of each page of the files (JPEG, PNG, BMP, TIFF, WebP, PDF rendered at 300 dpi) on
this machine with the service's engine (each page turned upright and deskewed first); no running service
is needed. Text out on stdout (or into --out x.txt), pages separated by a form feed; --out x.xml: ALTO 4,
x.hocr: hOCR, x.pdf: a searchable PDF (each image as scanned, the text invisible under it); --json: every page's
blocks, lines and words with boxes in page pixels and confidences. --lang: Tesseract language codes
joined by + (default eng). --psm: Tesseract page segmentation mode (default 3, automatic).
Exit code 1 when a file could not be read (the others are still read).`,
  },
  scan: {
    summary: 'scan through the running service into a file',
    usage: `scanbridge scan --device ID --out FILE [--source flatbed|feeder] [--duplex] [--dpi N]
               [--mode color|gray|bw] [--paper A4|A5|Letter|Legal|WxH] [--area X,Y,W,H]
               [--option NAME=VALUE]... [--compression auto|jpeg|g4|lossless] [--quality 1-100]
               [--ocr deu+eng] [--progress | --no-progress] [--home DIR]
               [--barcodes] [--split-on barcode|patch|blank|change [--pattern REGEX] [--drop-separators]]

FILE ends in .pdf, .tif/.tiff (multi-page), .jpg/.jpeg or .png (one file per page: name-1.jpg...).
--compression (PDF, TIFF): auto (default: G4 for black and white, JPEG for photos, sharp text over a
small JPEG background for colour documents), jpeg, g4 (black-and-white pages only), lossless; TIFF
also none, lzw, deflate. --quality: of the JPEG parts (PDF, TIFF) or of JPEG files. A PDF with
--compression jpeg keeps each page as JPEG where it is scanned (scan setting storeJpeg) and carries it
as it is.
--ocr LANGS (PDF): searchable, each page's text recognised in these languages and laid under its image.
Without --paper or --area the device's whole scan area is scanned (the demo scanner: A4).
--paper takes a name or any size in millimetres (100x150); --area the region in millimetres from
the top-left corner, like scanimage -l X -t Y -x W -y H.
Progress goes to stderr (--progress; on by default when stderr is a terminal). A batch may last
hours: the command follows the job with short waits. A FILE that cannot be written is reported
before the scanner starts.
Pages scanned before a scanner error are still saved; the exit code is then 1.
--barcodes reads the codes on each page as it arrives (they are printed with the files).
--split-on splits the batch into documents as it arrives: on separator sheets with a barcode (whose
text matches --pattern, when given), a patch code or a blank page, or where a barcode changes
(change); --drop-separators leaves the separator sheets out. Each document is its own FILE (.pdf or
.tif): {barcode} in its name is the text of the code that named it, made safe (no path separators,
no .., no control characters, at most 100 characters, unique), {n} its number;
e.g. --out 'doc-{barcode}.pdf'. Without either, -{n} is added before the extension.`,
  },
};

export function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `scanbridge — local scanning service

Usage: scanbridge <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Options for every command:
  --home DIR   service folder (default: per-user data folder; env SCANBRIDGE_HOME)
  --help       show help of the command
  --version    print the version`;
}
