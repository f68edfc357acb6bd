/** Bumped when the wire protocol changes incompatibly; the SDK compares it. */
export const PROTOCOL_VERSION = 1;
