package com.mqtthub.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FlowWindowTest {

	private final FlowWindow window = new FlowWindow(100);

	@Test
	void closesAtItsSizeNotYetTakenAndOpensWhenSomeIsTaken() {
		this.window.sent(99);
		assertThat(this.window.isOpen()).isTrue();
		this.window.sent(1);
		assertThat(this.window.isOpen()).isFalse();
		this.window.taken(1);
		assertThat(this.window.isOpen()).isTrue();
		assertThat(this.window.untaken()).isEqualTo(99);
	}

	@Test
	void tellsTheSenderOnlyWhenTheWindowOpensAgain() {
		AtomicInteger opened = new AtomicInteger();
		this.window.onOpen(opened::incrementAndGet);
		this.window.sent(150);
		this.window.taken(20);
		assertThat(opened).as("still closed").hasValue(0);
		this.window.taken(40);
		assertThat(opened).hasValue(1);
		this.window.taken(10);
		assertThat(opened).as("was open already").hasValue(1);
	}

	@Test
	void aBlockedSenderGoesOnWhenTheReceiverTakesAndGivesUpAfterItsTimeout() throws Exception {
		this.window.sent(100);
		assertThat(this.window.awaitOpen(20, TimeUnit.MILLISECONDS)).isFalse();
		CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
			try {
				return this.window.awaitOpen(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				return false;
			}
		});
		this.window.taken(50);
		assertThat(waiting.get(30, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void needsRoom() {
		assertThatIllegalArgumentException().isThrownBy(() -> new FlowWindow(0));
	}

}
