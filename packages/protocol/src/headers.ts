/** HTTP headers of the protocol (zod-free: the browser SDK imports them). */

/** The page's access token (RequestAccess gives it). */
export const TOKEN_HEADER = 'x-scanbridge-token';
