/**
 * How long after the service is ready the work that only serves later starts
 * (mDNS browsing, the certificate trust hint of `scanbridge run`, which runs
 * certutil). A page that waited for the service calls at once, and on two
 * busy cores that work, started right at ready, doubled the time of its
 * first ListDevices (bench/startup, load 20: median 212 ms with it, 95 ms
 * without).
 */
export const AFTER_READY_MS = 500;
