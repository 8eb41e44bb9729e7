package com.mqtthub.security;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Password guessing as a weapon, with the default limits: 240 loopback addresses send about
 * {@value #ATTACK_RATE} CONNECTs a second with bad passwords for {@code admin} (one in four
 * closing its connection right after sending) while a device that was connected before reconnects again
 * and again, and a device never seen before tries to get in. The device keeps connecting (from
 * the memory of verified credentials, without a password hash; its round trips are printed), the
 * newcomer gets in, {@code admin} is not locked out of its own address, and the attacker only
 * ever gets CONNACK 3 (rate limits, queue full) or 4 (wrong password, waiting after failures).
 */
@HubTest
// Default limits, except a first wait long enough for the API test to see it.
@org.springframework.test.context.TestPropertySource(properties = "mqtthub.security.lockout.delay=60s")
class HostileAuthIT {

	private static final int ATTACK_ADDRESSES = 240;

	/** Attack CONNECTs started per second, however slowly they are answered. */
	private static final int ATTACK_RATE = 60;

	private static final int ATTACK_THREADS = 32;

	private static final Duration ATTACK = Duration.ofSeconds(15);

	/** Upper bound on attack CONNECTs, whatever the speed. */
	private static final int MAX_ATTACKS = 4000;

	/**
	 * How long an attacker waits for its CONNACK. A CONNECT in the queue of password checks is
	 * answered when the hashes before it are done: a few seconds at most on an idle machine,
	 * much longer on a busy one, which is no harm done to anyone but the attacker.
	 */
	private static final Duration ATTACKER_PATIENCE = Duration.ofSeconds(60);

	private static final String DEVICE_PASSWORD = "device secret 42";

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	@LocalServerPort
	private int webPort;

	private static String name(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** CONNECT and CONNACK from 127.0.0.1; the CONNACK code, or -1 when none came. */
	private int connect(String username, String password, long[] roundTripNanos) {
		try (RawMqttClient client = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			long start = System.nanoTime();
			int code = client.connect(new RawMqttClient.Connect(name("c")).credentials(username, password));
			if (roundTripNanos != null) {
				roundTripNanos[0] = System.nanoTime() - start;
			}
			return code;
		}
		catch (IOException | IllegalStateException ex) {
			return -1;
		}
	}

	@Test
	void guessingFromManyAddressesLeavesGoodClientsAlone() throws Exception {
		String device = name("device");
		String newcomer = name("newcomer");
		this.users.create(device, DEVICE_PASSWORD, Role.USER, true);
		this.users.create(newcomer, DEVICE_PASSWORD, Role.USER, true);
		long[] rtt = new long[1];
		assertThat(connect(device, DEVICE_PASSWORD, rtt)).isZero();
		System.out.printf("Device CONNECT round trip before the attack (first time, with a password hash): %.1f ms%n",
				rtt[0] / 1e6);

		Map<Integer, LongAdder> answers = new ConcurrentHashMap<>();
		AtomicInteger attempts = new AtomicInteger();
		long end = System.nanoTime() + ATTACK.toNanos();
		ExecutorService attackers = Executors.newFixedThreadPool(ATTACK_THREADS);
		java.util.concurrent.ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
		pace.scheduleAtFixedRate(() -> {
			int n = attempts.getAndIncrement();
			if (n >= MAX_ATTACKS || System.nanoTime() > end) {
				return;
			}
			attackers.execute(() -> {
				String address = "127.0.0." + (10 + n % ATTACK_ADDRESSES);
				int code;
				try (RawMqttClient attacker = new RawMqttClient("127.0.0.1", this.broker.getTcpPort(), address)) {
					RawMqttClient.Connect connect = new RawMqttClient.Connect("x" + n)
						.credentials(HubTest.ADMIN, "guess-" + n);
					if (n % 4 == 3) {
						// Gone before its turn: nothing to answer, nothing to hash.
						attacker.send(connect.toBytes());
						code = -2;
					}
					else {
						attacker.send(connect.toBytes());
						RawMqttClient.Packet answer = attacker.poll(ATTACKER_PATIENCE);
						code = (answer != null && answer.type() == RawMqttClient.CONNACK) ? answer.body()[1] : -1;
					}
				}
				catch (IOException | IllegalStateException ex) {
					code = -1;
				}
				answers.computeIfAbsent(code, (c) -> new LongAdder()).increment();
			});
		}, 0, 1_000_000 / ATTACK_RATE, TimeUnit.MICROSECONDS);

		List<Double> roundTrips = Collections.synchronizedList(new ArrayList<>());
		int deviceRefusals = 0;
		int newcomerCode = -1;
		int newcomerTries = 0;
		while (System.nanoTime() < end) {
			int code = connect(device, DEVICE_PASSWORD, rtt);
			if (code == 0) {
				roundTrips.add(rtt[0] / 1e6);
			}
			else {
				deviceRefusals++;
			}
			if (newcomerCode != 0) {
				newcomerCode = connect(newcomer, DEVICE_PASSWORD, null);
				newcomerTries++;
			}
			pause(Duration.ofMillis(500));
		}
		pace.shutdown();
		assertThat(pace.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
		attackers.shutdown();
		assertThat(attackers.awaitTermination(ATTACKER_PATIENCE.toSeconds() + 30, TimeUnit.SECONDS)).isTrue();
		// A newcomer still waiting retries after the attack, as a device with back-off would.
		for (int i = 0; i < 30 && newcomerCode != 0; i++) {
			pause(Duration.ofSeconds(1));
			newcomerCode = connect(newcomer, DEVICE_PASSWORD, null);
			newcomerTries++;
		}

		Map<Integer, Long> byCode = new TreeMap<>();
		answers.forEach((code, count) -> byCode.put(code, count.sum()));
		List<Double> sorted = new ArrayList<>(roundTrips);
		Collections.sort(sorted);
		System.out.printf("Attack: %d bad CONNECTs from %d addresses in %d s, answers by CONNACK code: %s%n",
				byCode.values().stream().mapToLong(Long::longValue).sum(), ATTACK_ADDRESSES, ATTACK.toSeconds(), byCode);
		System.out.printf("Device reconnects during the attack: %d, refused %d; round trip median %.1f ms, max %.1f ms%n",
				sorted.size(), deviceRefusals, sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2),
				sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
		System.out.printf("Newcomer connected after %d tries%n", newcomerTries);

		assertThat(deviceRefusals).as("refusals of the returning device").isZero();
		assertThat(sorted).isNotEmpty();
		assertThat(newcomerCode).as("the newcomer's last answer").isZero();
		// -2: the attacker's own early closes; -1: no CONNACK within the attacker's patience.
		assertThat(byCode.keySet()).as("what the attacker was answered").isSubsetOf(-2, 3, 4);
		assertThat(byCode).containsKeys(3, 4);
		// Strangers' guesses from other addresses do not lock admin out of this one.
		assertThat(connect(HubTest.ADMIN, HubTest.ADMIN_PASSWORD, null)).isZero();
	}

	@Test
	void administratorsSeeAndClearLockOutsThroughTheApi() throws Exception {
		String victim = name("victim");
		this.users.create(victim, DEVICE_PASSWORD, Role.USER, true);
		for (String address : new String[] { "127.0.0.7", "127.0.0.8" }) {
			for (int i = 0; i < 5; i++) {
				try (RawMqttClient guesser = new RawMqttClient("127.0.0.1", this.broker.getTcpPort(), address)) {
					assertThat(guesser.connect(new RawMqttClient.Connect(name("g")).credentials(victim, "wrong " + i)))
						.isEqualTo(4);
				}
			}
		}
		try (RawMqttClient locked = new RawMqttClient("127.0.0.1", this.broker.getTcpPort(), "127.0.0.7")) {
			assertThat(locked.connect(new RawMqttClient.Connect(name("g")).credentials(victim, DEVICE_PASSWORD)))
				.as("right password during the wait").isEqualTo(4);
		}

		WebSession admin = new WebSession(this.webPort);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		HttpResponse<String> list = admin.get("/api/lockouts");
		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(list.body()).contains("\"username\":\"" + victim + "\"").contains("\"address\":\"127.0.0.7\"");
		assertThat(admin.get("/admin/users").body()).contains(victim).contains("127.0.0.7");

		String csrf = admin.csrfToken();
		HttpResponse<String> invalid = admin.json("DELETE", "/api/lockouts?address=not%20an%20address", null, csrf);
		assertThat(invalid.statusCode()).isEqualTo(400);
		assertThat(invalid.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(invalid.body()).contains("\"parameter\":\"address\"");

		String plainUser = name("plain");
		this.users.create(plainUser, DEVICE_PASSWORD, Role.USER, true);
		WebSession plain = new WebSession(this.webPort);
		plain.login(plainUser, DEVICE_PASSWORD);
		assertThat(plain.get("/api/lockouts").statusCode()).isEqualTo(403);

		HttpResponse<String> cleared = admin.json("DELETE",
				"/api/lockouts?username=" + victim + "&address=127.0.0.7", null, csrf);
		assertThat(cleared.statusCode()).isEqualTo(200);
		assertThat(cleared.body()).contains("\"cleared\":1");
		assertThat(admin.get("/api/lockouts").body()).doesNotContain("127.0.0.7");
		try (RawMqttClient back = new RawMqttClient("127.0.0.1", this.broker.getTcpPort(), "127.0.0.7")) {
			assertThat(back.connect(new RawMqttClient.Connect(name("g")).credentials(victim, DEVICE_PASSWORD)))
				.isZero();
		}

		// The users page clears the other one with its form.
		HttpResponse<String> page = admin.get("/admin/users");
		assertThat(page.body()).contains("127.0.0.8");
		HttpResponse<String> form = admin.postForm("/admin/lockouts/clear", WebSession.formToken(page.body()),
				Map.of("username", victim, "address", "127.0.0.8"));
		assertThat(form.statusCode()).isEqualTo(302);
		assertThat(admin.get("/api/lockouts").body()).doesNotContain(victim);
		try (RawMqttClient back = new RawMqttClient("127.0.0.1", this.broker.getTcpPort(), "127.0.0.8")) {
			assertThat(back.connect(new RawMqttClient.Connect(name("g")).credentials(victim, DEVICE_PASSWORD)))
				.isZero();
		}
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
