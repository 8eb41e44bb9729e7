package com.mqtthub.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.HdrHistogram.Histogram;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;

/**
 * Opens connections in waves: at most {@code --concurrency} CONNECTs outstanding at once, the
 * whole wave bounded by {@code --connect-timeout}.
 */
final class Connector {

	private final BenchOptions options;

	private final Bootstrap bootstrap;

	Connector(BenchOptions options, EventLoopGroup group) {
		this.options = options;
		this.bootstrap = new Bootstrap().group(group)
			.channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(30_000, options.connectTimeout().toMillis()));
	}

	/** What one wave of connects achieved. */
	record Wave(int accepted, int failed, double seconds, Histogram latencyMicros, Map<String, Integer> failures) {

		double perSecond() {
			return (this.seconds > 0) ? this.accepted / this.seconds : Double.NaN;
		}

		String failureSummary() {
			return this.failures.isEmpty() ? "" : this.failures.toString();
		}

	}

	/** Connects the clients to --host and --port. */
	Wave connect(List<? extends BenchClient> clients) throws InterruptedException {
		return connect(clients, this.options.host(), this.options.port());
	}

	Wave connect(List<? extends BenchClient> clients, String host, int port) throws InterruptedException {
		Semaphore outstanding = new Semaphore(this.options.concurrency());
		long start = System.nanoTime();
		long deadline = start + this.options.connectTimeout().toNanos();
		int launched = 0;
		for (BenchClient client : clients) {
			if (!outstanding.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				break;
			}
			launched++;
			client.ready().whenComplete((ok, failure) -> outstanding.release());
			client.connectStartNanos = System.nanoTime();
			open(client, host, port).addListener((future) -> {
				if (!future.isSuccess()) {
					client.ready().completeExceptionally(future.cause());
				}
			});
		}
		Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
		Map<String, Integer> failures = new TreeMap<>();
		int accepted = 0;
		long last = start;
		for (int i = 0; i < clients.size(); i++) {
			BenchClient client = clients.get(i);
			String failure = null;
			if (i >= launched) {
				failure = "not started within --connect-timeout";
			}
			else {
				try {
					client.ready().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
					accepted++;
					last = Math.max(last, client.connackNanos);
					latency.recordValue(Math.max(0, (client.connackNanos - client.connectStartNanos) / 1000));
				}
				catch (ExecutionException ex) {
					failure = String.valueOf(ex.getCause().getMessage());
				}
				catch (TimeoutException ex) {
					failure = "no answer within --connect-timeout";
					client.disconnect();
				}
			}
			if (failure != null) {
				failures.merge(failure.length() > 120 ? failure.substring(0, 120) : failure, 1, Integer::sum);
			}
		}
		return new Wave(accepted, clients.size() - accepted, (last - start) / 1e9, latency, failures);
	}

	/**
	 * One connection, TCP or WebSocket ({@code --ws-path}), with the client as its MQTT handler; the
	 * client sends CONNECT once it is up.
	 */
	ChannelFuture open(BenchClient client, String host, int port) {
		return this.bootstrap.clone().handler(new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel ch) {
				String path = Connector.this.options.webSocketPath();
				if (path != null) {
					WebSocketTransport.addTo(ch.pipeline(), host, port, path);
				}
				ch.pipeline()
					.addLast(new MqttDecoder(Connector.this.options.payloadBytes() + 65_536), MqttEncoder.INSTANCE, client);
			}
		}).connect(host, port);
	}

}
