/** HTTP headers of the protocol (zod-free: the browser SDK imports them). */

/** The page's access token (RequestAccess gives it). */
export const TOKEN_HEADER = 'x-scanbridge-token';

/** Header a client may use instead of the "id" field to name its session. */
export const SESSION_HEADER = 'x-scanbridge-session';
