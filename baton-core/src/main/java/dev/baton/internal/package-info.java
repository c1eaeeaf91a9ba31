/**
 * Baton's core machinery: lease life cycle, renewal, loss signalling, event dispatch and the
 * generic primitives built on a {@link dev.baton.spi.Backend}. <b>Internal:</b> public only so that
 * Baton's backend modules can use it.
 */
package dev.baton.internal;
