/**
 * Baton's core machinery: lease life cycle, renewal, loss signalling, the races of an acquisition,
 * event dispatch and the generic primitives built on a {@link dev.baton.spi.Backend}.
 * <b>Internal:</b> every class is package-private but {@link dev.baton.internal.Connector}, which
 * the public {@link dev.baton.Baton#connect} entry points call. Backends never see this package:
 * they talk to the core through {@link dev.baton.spi} only (checked by {@code SpiBoundaryTest}).
 */
package dev.baton.internal;
