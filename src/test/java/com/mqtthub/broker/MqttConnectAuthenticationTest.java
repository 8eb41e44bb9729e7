package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.mqtthub.broker.MqttConnectAuthentication.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The door in front of the password hashes: answers from memory first, then rate limits and a
 * short queue, and no hash for a connection that has gone.
 */
class MqttConnectAuthenticationTest {

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final FakeAuthenticator authenticator = new FakeAuthenticator();

	private MqttConnectAuthentication authentication;

	@AfterEach
	void shutdown() {
		this.authenticator.release.countDown();
		if (this.authentication != null) {
			this.authentication.shutdown();
		}
	}

	private MqttConnectAuthentication start(ConnectCheckLimits limits) {
		this.authenticator.limits = limits;
		this.authentication = new MqttConnectAuthentication(this.authenticator, this.now::get);
		return this.authentication;
	}

	private Outcome check(String address, boolean stillWanted) throws Exception {
		return this.authentication.check("c", "user", "pw".getBytes(), address, () -> stillWanted)
			.get(5, TimeUnit.SECONDS);
	}

	@Test
	void aConnectionThatClosedWhileWaitingIsNotChecked() throws Exception {
		start(new ConnectCheckLimits(1, 10, 100, 100, 100, 100));
		this.authenticator.release.countDown();
		assertThat(check("127.0.0.1", false)).isEqualTo(Outcome.GONE);
		assertThat(this.authenticator.hashes).hasValue(0);
		assertThat(check("127.0.0.1", true)).isEqualTo(Outcome.ACCEPTED);
		assertThat(this.authenticator.hashes).hasValue(1);
		assertThat(this.authentication.outcomes(Outcome.GONE)).isEqualTo(1);
	}

	@Test
	void oneAddressIsHeldToItsRateWhileOthersGetIn() throws Exception {
		start(new ConnectCheckLimits(1, 100, 1, 3, 1000, 1000));
		this.authenticator.release.countDown();
		for (int i = 0; i < 3; i++) {
			assertThat(check("127.0.0.2", true)).isEqualTo(Outcome.ACCEPTED);
		}
		assertThat(check("127.0.0.2", true)).isEqualTo(Outcome.OVERLOADED);
		assertThat(check("127.0.0.3", true)).isEqualTo(Outcome.ACCEPTED);
		this.now.addAndGet(1_000_000_000L);
		assertThat(check("127.0.0.2", true)).isEqualTo(Outcome.ACCEPTED);
		assertThat(this.authenticator.hashes).hasValue(5);
	}

	@Test
	void theTotalRateHoldsAcrossAddresses() throws Exception {
		start(new ConnectCheckLimits(1, 100, 1000, 1000, 1, 4));
		this.authenticator.release.countDown();
		List<Outcome> outcomes = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			outcomes.add(check("127.0.0." + (10 + i), true));
		}
		assertThat(outcomes).containsExactly(Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.ACCEPTED,
				Outcome.OVERLOADED, Outcome.OVERLOADED, Outcome.OVERLOADED, Outcome.OVERLOADED, Outcome.OVERLOADED,
				Outcome.OVERLOADED);
		assertThat(this.authenticator.hashes).hasValue(4);
	}

	@Test
	void theQueueIsBoundedAndOverflowGetsServerUnavailableAtOnce() throws Exception {
		start(new ConnectCheckLimits(1, 2, 1000, 1000, 1000, 1000));
		List<CompletableFuture<Outcome>> waiting = new ArrayList<>();
		// One running (held by the fake hash), two queued, the rest refused without waiting.
		for (int i = 0; i < 3; i++) {
			waiting.add(this.authentication.check("c", "user", "pw".getBytes(), "127.0.0.1", () -> true));
			this.authenticator.started.await(5, TimeUnit.SECONDS);
		}
		for (int i = 0; i < 5; i++) {
			assertThat(check("127.0.0." + (20 + i), true)).isEqualTo(Outcome.OVERLOADED);
		}
		this.authenticator.release.countDown();
		for (CompletableFuture<Outcome> future : waiting) {
			assertThat(future.get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.ACCEPTED);
		}
	}

	@Test
	void answersFromMemoryNeedNoHashAndUseNoRate() throws Exception {
		start(new ConnectCheckLimits(1, 1, 1, 1, 1, 1));
		this.authenticator.precheck = MqttAuthenticator.Precheck.ACCEPT;
		for (int i = 0; i < 50; i++) {
			assertThat(check("127.0.0.1", true)).isEqualTo(Outcome.ACCEPTED);
		}
		this.authenticator.precheck = MqttAuthenticator.Precheck.REFUSE;
		assertThat(check("127.0.0.1", true)).isEqualTo(Outcome.BAD_CREDENTIALS);
		assertThat(this.authenticator.hashes).hasValue(0);
	}

	private static final class FakeAuthenticator implements MqttAuthenticator {

		final AtomicInteger hashes = new AtomicInteger();

		final CountDownLatch release = new CountDownLatch(1);

		volatile CountDownLatch started = new CountDownLatch(1);

		volatile Precheck precheck = Precheck.CHECK;

		ConnectCheckLimits limits;

		@Override
		public boolean allowsAnonymous() {
			return false;
		}

		@Override
		public Precheck precheck(String clientId, String username, byte[] password, String remoteAddress) {
			return this.precheck;
		}

		@Override
		public boolean authenticate(String clientId, String username, byte[] password, String remoteAddress) {
			this.hashes.incrementAndGet();
			this.started.countDown();
			try {
				this.release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return true;
		}

		@Override
		public ConnectCheckLimits limits() {
			return this.limits;
		}

	}

}
