package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientOptionsTest {
    @Test
    void masterWithoutPortUsesTheClientPort() {
        ClientOptions o = ClientOptions.master("meta.example").build();
        assertThat(o.masterHost()).isEqualTo("meta.example");
        assertThat(o.masterPort()).isEqualTo(9421);
    }

    @Test
    void masterWithPortAndBracketedIpv6AreParsed() {
        assertThat(ClientOptions.master("10.1.2.3:7000").build().masterPort()).isEqualTo(7000);
        ClientOptions v6 = ClientOptions.master("[::1]:7001").build();
        assertThat(v6.masterHost()).isEqualTo("::1");
        assertThat(v6.masterPort()).isEqualTo(7001);
        assertThat(ClientOptions.master("::1").build().masterPort()).isEqualTo(9421);
    }

    @Test
    void severalMastersAreKeptInOrder() {
        ClientOptions o = ClientOptions.master("m1:9000, m2 ,[::1]:9002").build();
        assertThat(o.masters()).containsExactly(new MasterAddress("m1", 9000), new MasterAddress("m2", 9421),
                new MasterAddress("::1", 9002));
        assertThat(o.masters().get(2).toString()).isEqualTo("[::1]:9002");
    }

    @Test
    void badPortIsRejected() {
        assertThatThrownBy(() -> ClientOptions.master("host:abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientOptions.master("host:70000").build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void credentialsDefaultToTheProcessUser() {
        UserCredentials expected = UserCredentials.currentUser();
        assertThat(ClientOptions.master("h").build().credentials()).isEqualTo(expected);
        assertThat(ClientOptions.master("h").expectedClusterId(" ").build().expectedClusterId()).isEmpty();
    }

    @Test
    void sessionIsOffUnlessAskedAndTheOldConstructorKeepsItOff() {
        assertThat(ClientOptions.master("h").build().session().enabled()).isFalse();
        ClientOptions mount = ClientOptions.master("h").session(SessionOptions.forMount("/mnt/x")).build();
        assertThat(mount.session().enabled()).isTrue();
        assertThat(mount.session().mountPoint()).isEqualTo("/mnt/x");
        assertThat(mount.session().sessionId()).isZero();
        ClientOptions old = new ClientOptions(mount.masters(), mount.expectedClusterId(), mount.credentials(),
                1, 1, 1, 1, 0, 0);
        assertThat(old.session()).isEqualTo(SessionOptions.none());
        assertThatThrownBy(() -> new SessionOptions(true, -1, "h", "/m")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failoverTimeoutDefaultsToThirtySecondsKeepsThroughWithersAndMustNotBeNegative() {
        assertThat(ClientOptions.master("h").build().failoverTimeoutMs()).isEqualTo(30_000);
        ClientOptions brief = ClientOptions.master("h").failoverTimeoutMs(500).build();
        assertThat(brief.withCredentials(UserCredentials.root()).withSession(SessionOptions.forMount("/m"))
                .failoverTimeoutMs()).isEqualTo(500);
        assertThat(new ClientOptions(brief.masters(), brief.expectedClusterId(), brief.credentials(), 1, 1, 1, 1, 0,
                0).failoverTimeoutMs()).isEqualTo(ClientOptions.DEFAULT_FAILOVER_TIMEOUT_MS);
        assertThatThrownBy(() -> ClientOptions.master("h").failoverTimeoutMs(-1).build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
