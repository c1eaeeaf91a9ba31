/**
 * The ZooKeeper backend ({@code zookeeper://host:port[,host:port…][/namespace]}) and the {@code
 * embedded} in-process server ({@link dev.baton.zookeeper.EmbeddedZooKeeper}).
 *
 * <p>Where to look: {@code Layout} (which znode holds what), {@code LockQueue} (the queue rules
 * every waiter and {@code inspect} apply), {@code Acquisition} (one acquire as an event-driven
 * state machine: create, look, watch the predecessor, grant or withdraw), {@code ZooKeeperBackend}
 * (the facade: session, renewal, release, inspect), {@code ZooKeeperKeyValue} (versions and
 * tombstones), {@code ZooKeeperWatch} (one persistent recursive watch fanned out to subscriptions),
 * {@code ZooKeeperMonitors} and {@code ConditionWait} (monitor conditions: an await is one {@code
 * multi} that deletes the holder's entry and creates a waiter; a woken waiter re-enters by itself),
 * {@code ZooKeeperClient} (the plumbing the parts share instead of the backend: the Curator client,
 * the layout, the core's context, which thread may wait for ZooKeeper, guaranteed deletes, errors).
 *
 * <p>A lease's life: the acquire creates a protected ephemeral-sequential entry whose {@code czxid}
 * (returned by the create itself) is the fencing token; a {@code getChildren} sent right behind the
 * create, without waiting for its answer, decides (ZooKeeper answers a session's requests in order,
 * so the listing holds the new entry): a free mutex costs one round trip, a cycle with the release
 * two. The grant's deadline counts from the send time of the deciding {@code getChildren}. A
 * listing handled before the create's answer, or without the entry, decides nothing, and the
 * acquire looks again (see {@code Acquisition}). The session keeps every entry alive, so one {@code
 * getEphemerals} per renewal tick renews all leases and reports vanished ones. Connection SUSPENDED
 * → leases IN_DOUBT; RECONNECTED → confirmed after one round trip; LOST → lost, and pending
 * acquires fail. Release deletes exactly the lease's own entry (a guaranteed delete).
 */
package dev.baton.zookeeper;
