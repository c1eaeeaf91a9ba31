package dev.baton.bench.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.bench.BenchEngine;
import dev.baton.bench.EngineCounter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;

/** The two counts of a real redis-server: client commands (MONITOR) and engine calls. */
class RedisBenchTest {

    @Test
    void countsAScriptAsOneClientCommandButItsCallsAsEngineWork() throws Exception {
        try (RedisBench engine = RedisBench.start();
                BenchEngine.CommandCount commands = engine.openCommandCount()) {
            EngineCounter calls = engine.counter();
            RedisClient client = RedisClient.create(engine.batonUri());
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                RedisCommands<String, String> redis = conn.sync();
                long c0 = commands.commands();
                long e0 = calls.commands();
                redis.set("k", "v");
                redis.eval(
                        "redis.call('get', KEYS[1]); return redis.call('del', KEYS[1])",
                        ScriptOutputType.INTEGER,
                        "k");
                long c1 = commands.commands();
                long e1 = calls.commands();
                assertThat(c1 - c0).isEqualTo(2); // SET, EVAL
                assertThat(e1 - e0).isEqualTo(4); // SET, EVAL, and the script's GET and DEL
                assertThat(commands.byName()).containsKeys("SET", "EVAL");
            } finally {
                client.shutdown();
            }
            assertThat(engine.cpuMicros().orElseThrow().commands()).isPositive();
        }
    }

    @Test
    void sumsCallsOfEveryCommandButTheHarnesssInfoAndEcho() {
        String stats =
                "# Commandstats\r\n"
                        + "cmdstat_set:calls=3,usec=10,usec_per_call=3.33\r\n"
                        + "cmdstat_info:calls=7,usec=1,usec_per_call=0.1\r\n"
                        + "cmdstat_echo:calls=9,usec=1,usec_per_call=0.1\r\n"
                        + "cmdstat_replconf:calls=11,usec=1,usec_per_call=0.1\r\n"
                        + "cmdstat_evalsha:calls=2,usec=4,usec_per_call=2.00\r\n";
        assertThat(RedisBench.sumCalls(stats)).isEqualTo(5);
        assertThat(RedisBench.cpuMicros("used_cpu_sys:1.500000\r\nused_cpu_user:0.250001\r\n"))
                .isEqualTo(1_750_001);
    }

    @Test
    void readsTheReplicasLinkStatus() {
        assertThat(RedisBench.linkUp("# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n"))
                .isTrue();
        assertThat(RedisBench.linkUp("# Replication\r\nrole:slave\r\nmaster_link_status:down\r\n"))
                .isFalse();
        assertThat(RedisBench.linkUp("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"))
                .isFalse();
    }
}
