/**
 * The TLS options of the service's own listeners (the HTTPS API and pages,
 * the eSCL server) for its key and certificate file (the server
 * certificate, then its CA: the chain every listener sends).
 *
 * `ca: []`: a listener asks no client for a certificate, so it needs no
 * store of trusted CAs. Without the option Node builds one from its 140-odd
 * root certificates for the first context: about 50 ms of CPU on every start
 * of the service (bench/startup), for nothing.
 */
export function listenerTls(material: { key: string; cert: string }): { key: string; cert: string; ca: string[] } {
  return { key: material.key, cert: material.cert, ca: [] };
}
