package com.mqtthub.bench;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BenchOptionsTest {

	@Test
	void defaultsDependOnTheScenario() {
		BenchOptions pairs = BenchOptions.parse();
		assertThat(pairs.scenario()).isEqualTo(Scenario.PAIRS);
		assertThat(pairs.publishers()).isEqualTo(50);
		assertThat(pairs.subscribers()).isEqualTo(50);
		assertThat(pairs.host()).isEqualTo("127.0.0.1");

		BenchOptions fanOut = BenchOptions.parse("--scenario", "fan-out");
		assertThat(fanOut.publishers()).isEqualTo(1);
		assertThat(fanOut.subscribers()).isEqualTo(100);

		BenchOptions fanIn = BenchOptions.parse("--scenario", "FAN-IN", "--publishers", "4");
		assertThat(fanIn.publishers()).isEqualTo(4);
		assertThat(fanIn.subscribers()).isEqualTo(1);
	}

	@Test
	void durationsTakeUnits() {
		BenchOptions options = BenchOptions.parse("--warmup", "500ms", "--duration", "2m", "--drain", "1.5s");
		assertThat(options.warmup()).isEqualTo(Duration.ofMillis(500));
		assertThat(options.duration()).isEqualTo(Duration.ofMinutes(2));
		assertThat(options.drain()).isEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void everyValueIsBounded() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--rate", "-1"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--qos", "3"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--payload", "19"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--duration", "2h"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--clients", "50001"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--port", "0"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--ws-path", "mqtt"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--ws-path", "/mqtt?x=<b>"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--duration", "soon"))
			.withMessageContaining("duration");
	}

	@Test
	void unknownOrMalformedInputIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--sceanrio", "pairs"))
			.withMessageContaining("Usage");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--qos"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--scenario", "storm"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--label", "a\nb"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--scenario", "fan-out", "--publishers", "2"));
	}

	@Test
	void subscribersConnectWherePublishersDoUnlessToldOtherwise() {
		BenchOptions same = BenchOptions.parse("--host", "127.0.0.1", "--port", "1884");
		assertThat(same.subscribeHost()).isEqualTo("127.0.0.1");
		assertThat(same.subscribePort()).isEqualTo(1884);
		assertThat(same.subscribersElsewhere()).isFalse();
		assertThat(same.persistentSubscribers()).isFalse();
		assertThat(same.quiet()).isEqualTo(Duration.ofSeconds(2));

		BenchOptions bridged = BenchOptions.parse("--port", "1884", "--subscribe-port", "1885", "--persistent-subscribers",
				"true", "--quiet", "30s", "--drain", "20m");
		assertThat(bridged.port()).isEqualTo(1884);
		assertThat(bridged.subscribeHost()).isEqualTo("127.0.0.1");
		assertThat(bridged.subscribePort()).isEqualTo(1885);
		assertThat(bridged.subscribersElsewhere()).isTrue();
		assertThat(bridged.persistentSubscribers()).isTrue();
		assertThat(bridged.quiet()).isEqualTo(Duration.ofSeconds(30));
		assertThat(bridged.drain()).isEqualTo(Duration.ofMinutes(20));

		assertThat(BenchOptions.parse("--subscribe-host", "localhost").subscribersElsewhere()).isTrue();
	}

	@Test
	void bridgeOptionsAreBounded() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--subscribe-port", "0"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--subscribe-port", "65536"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--persistent-subscribers", "yes"))
			.withMessageContaining("true or false");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BenchOptions.parse("--scenario", "idle", "--persistent-subscribers", "true"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--quiet", "50ms"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--quiet", "31m"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--drain", "31m"));
	}

}
