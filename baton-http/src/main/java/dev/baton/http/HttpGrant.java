package dev.baton.http;

/**
 * The backend's record of one grant: the gateway's lease id (unique per gateway, so no two grants
 * are equal) and the session that carries it.
 */
record HttpGrant(String lease, String session, String name, long token) {}
