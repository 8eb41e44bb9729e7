package com.mqtthub.broker;

import com.mqtthub.security.RateLimitedLog;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Set;

import com.mqtthub.security.LogSafe;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a client may subscribe to ({@link TopicLimits}): levels and bytes of each filter,
 * filters in one SUBSCRIBE, subscriptions its session holds. A SUBSCRIBE reaches the engine
 * without the filters it refuses, and the engine's SUBACK leaves with 0x80 at their positions
 * (a SUBSCRIBE whose every filter is refused reaches the engine empty, so that its SUBACK still
 * comes in order, after the CONNACK and the SUBACKs before it). Filters of an UNSUBSCRIBE that
 * no subscription can have (too deep or long) are not passed on either; the UNSUBACK comes as
 * usual. Each refusal is counted per limit, and a SUBSCRIBE with refusals (these, and the
 * filters the topic rules deny, which the engine answers with 0x80) is logged in one line of
 * counts (never the filters) when its SUBACK leaves, at most once per connection every
 * {@value #LOG_EVERY_SECONDS} seconds.
 */
final class SubscriptionLimits extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(SubscriptionLimits.class);

	private static final int LOG_EVERY_SECONDS = 5;

	private static final int FAILURE = 0x80;

	/** Across all connections: many offenders at once still write a few lines a minute. */
	private static final RateLimitedLog ALL_CONNECTIONS = new RateLimitedLog(logger, "SUBSCRIBEs with refusals");

	/** What the engine holds for a client id, and who a connection is. */
	interface Subscriptions {

		/** Subscriptions the engine holds for this client id. */
		int count(String clientId);

		/** Whether the engine holds a subscription of this client id to exactly this filter. */
		boolean holds(String clientId, String filter);

		/** The client id the engine knows this connection by, or null before its CONNECT was accepted. */
		String clientIdOf(Channel channel);

	}

	private final TopicLimits bounds;

	private final BrokerLimits limits;

	private final Subscriptions engine;

	private final ClientAddresses addresses;

	/** When this connection last had a line logged (System.nanoTime), or 0. */
	private long loggedAt;

	/** SUBSCRIBEs with refusals on this connection since that line, not logged. */
	private int leftOutHere;

	/** The client id of the CONNECT; empty when the hub assigns one. */
	private String connectClientId;

	/** Positions refused here, by packet id of the SUBSCRIBE, until its SUBACK passes (null until the first). */
	private Map<Integer, Refusals> refusedPositions;

	/** Filters of one SUBSCRIBE refused here: where, and why. */
	private record Refusals(boolean[] positions, Map<Limit, Integer> reasons) {
	}

	/**
	 * Filters new to the session handed to the engine, by packet id, until their SUBACK passes:
	 * the engine may not have added them yet when the next SUBSCRIBE comes. Null until the first:
	 * an idle connection keeps no map.
	 */
	private Map<Integer, Set<String>> offered;

	SubscriptionLimits(BrokerLimits limits, Subscriptions engine, ClientAddresses addresses) {
		this.bounds = limits.topics();
		this.limits = limits;
		this.engine = engine;
		this.addresses = addresses;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttConnectMessage connect) {
			this.connectClientId = connect.payload().clientIdentifier();
			ctx.fireChannelRead(msg);
		}
		else if (msg instanceof MqttSubscribeMessage subscribe) {
			ctx.fireChannelRead(subscribe(ctx, subscribe));
		}
		else if (msg instanceof MqttUnsubscribeMessage unsubscribe) {
			ctx.fireChannelRead(unsubscribe(unsubscribe));
		}
		else {
			ctx.fireChannelRead(msg);
		}
	}

	private MqttSubscribeMessage subscribe(ChannelHandlerContext ctx, MqttSubscribeMessage subscribe) {
		List<MqttTopicSubscription> asked = subscribe.payload().topicSubscriptions();
		int packetId = subscribe.variableHeader().messageId();
		String clientId = clientId(ctx.channel());
		Set<String> pending = pendingNewFilters(clientId);
		int held = ((clientId != null) ? this.engine.count(clientId) : 0) + pending.size();
		Set<String> newHere = new HashSet<>();
		List<MqttTopicSubscription> kept = new ArrayList<>(asked.size());
		boolean[] refused = new boolean[asked.size()];
		Map<Limit, Integer> reasons = new EnumMap<>(Limit.class);
		for (int i = 0; i < asked.size(); i++) {
			String filter = asked.get(i).topicFilter();
			Limit broken = this.bounds.violation(filter);
			if (broken == null && i >= this.bounds.maxFiltersPerSubscribe()) {
				broken = Limit.FILTERS_PER_SUBSCRIBE;
			}
			if (broken == null && !newHere.contains(filter) && !pending.contains(filter)
					&& (clientId == null || !this.engine.holds(clientId, filter))) {
				// A new subscription; one to a filter already held only replaces it.
				if (held + newHere.size() >= this.bounds.maxSubscriptionsPerClient()) {
					broken = Limit.SUBSCRIPTIONS_PER_CLIENT;
				}
				else {
					newHere.add(filter);
				}
			}
			if (broken != null) {
				refused[i] = true;
				reasons.merge(broken, 1, Integer::sum);
				this.limits.refused(broken);
			}
			else {
				kept.add(asked.get(i));
			}
		}
		if (!newHere.isEmpty()) {
			if (this.offered == null) {
				this.offered = new HashMap<>(4);
			}
			this.offered.put(packetId, newHere);
		}
		if (reasons.isEmpty()) {
			if (this.refusedPositions != null) {
				this.refusedPositions.remove(packetId);
			}
			return subscribe;
		}
		if (this.refusedPositions == null) {
			this.refusedPositions = new HashMap<>(4);
		}
		this.refusedPositions.put(packetId, new Refusals(refused, reasons));
		return new MqttSubscribeMessage(subscribe.fixedHeader(), subscribe.variableHeader(),
				new MqttSubscribePayload(kept));
	}

	/**
	 * The client id the engine counts this connection's subscriptions under; null while it is
	 * not known (an id the hub assigns, before the engine accepted the CONNECT: a new clean
	 * session, which holds nothing).
	 */
	private String clientId(Channel channel) {
		if (this.connectClientId != null && !this.connectClientId.isEmpty()) {
			return this.connectClientId;
		}
		return this.engine.clientIdOf(channel);
	}

	/** Filters offered to the engine and not in its count yet. */
	private Set<String> pendingNewFilters(String clientId) {
		if (this.offered == null || this.offered.isEmpty()) {
			return Set.of();
		}
		Set<String> pending = new HashSet<>();
		for (Iterator<Set<String>> packets = this.offered.values().iterator(); packets.hasNext();) {
			Set<String> filters = packets.next();
			if (clientId != null) {
				filters.removeIf((filter) -> this.engine.holds(clientId, filter));
			}
			if (filters.isEmpty()) {
				packets.remove();
			}
			else {
				pending.addAll(filters);
			}
		}
		return pending;
	}

	private MqttUnsubscribeMessage unsubscribe(MqttUnsubscribeMessage unsubscribe) {
		List<String> asked = unsubscribe.payload().topics();
		List<String> possible = new ArrayList<>(asked.size());
		for (String filter : asked) {
			// No subscription can have such a filter; and the engine's tree, which it walks
			// recursively, is spared it.
			if (this.bounds.violation(filter) == null) {
				possible.add(filter);
			}
		}
		if (possible.size() == asked.size()) {
			return unsubscribe;
		}
		return new MqttUnsubscribeMessage(unsubscribe.fixedHeader(), unsubscribe.variableHeader(),
				new MqttUnsubscribePayload(possible));
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof MqttSubAckMessage subAck) {
			int packetId = subAck.variableHeader().messageId();
			if (this.offered != null) {
				this.offered.remove(packetId);
			}
			Refusals refused = (this.refusedPositions != null) ? this.refusedPositions.remove(packetId) : null;
			// The engine's own 0x80s: filters the topic rules deny.
			int denied = 0;
			for (int code : subAck.payload().grantedQoSLevels()) {
				denied += (code == FAILURE) ? 1 : 0;
			}
			if (refused != null) {
				msg = merged(subAck, refused.positions());
			}
			if (refused != null || denied > 0) {
				log(ctx, ((MqttSubAckMessage) msg).payload().grantedQoSLevels().size(),
						(refused != null) ? refused.reasons() : Map.of(), denied);
			}
		}
		super.write(ctx, msg, promise);
	}

	/** The engine's answers for the filters it saw, with 0x80 where filters were refused here. */
	private static MqttSubAckMessage merged(MqttSubAckMessage subAck, boolean[] refused) {
		List<Integer> answered = subAck.payload().grantedQoSLevels();
		int kept = 0;
		for (boolean r : refused) {
			kept += r ? 0 : 1;
		}
		if (answered.size() != kept) {
			// Not the answer to the SUBSCRIBE this handler changed (a reused packet id).
			return subAck;
		}
		int[] codes = new int[refused.length];
		int next = 0;
		for (int i = 0; i < refused.length; i++) {
			codes[i] = refused[i] ? FAILURE : answered.get(next++);
		}
		return new MqttSubAckMessage(subAck.fixedHeader(), subAck.variableHeader(), new MqttSubAckPayload(codes));
	}

	/** One line for one SUBSCRIBE: how many filters were refused, and why; never the filters. */
	private void log(ChannelHandlerContext ctx, int filters, Map<Limit, Integer> reasons, int denied) {
		long now = System.nanoTime();
		if (this.loggedAt != 0 && now - this.loggedAt < TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS)) {
			this.leftOutHere++;
			return;
		}
		this.loggedAt = now;
		int leftOutHere = this.leftOutHere;
		this.leftOutHere = 0;
		StringBuilder why = new StringBuilder();
		int refused = 0;
		for (Map.Entry<Limit, Integer> reason : reasons.entrySet()) {
			why.append((why.length() > 0) ? ", " : "").append(reason.getValue()).append(" beyond ")
				.append(TopicLimits.setting(reason.getKey()));
			refused += reason.getValue();
		}
		if (denied > 0) {
			why.append((why.length() > 0) ? ", " : "").append(denied).append(" denied by the topic rules");
			refused += denied;
		}
		ALL_CONNECTIONS.warn("Refused {} of {} topic filters in a SUBSCRIBE from {} (client {}): {}{}", refused, filters,
				this.addresses.resolve(ctx.channel().remoteAddress()), LogSafe.text(clientId(ctx.channel())), why,
				(leftOutHere > 0) ? " (and " + leftOutHere + " earlier SUBSCRIBEs with refusals not logged)" : "");
	}

}
