package com.mqtthub.acl;

/**
 * One topic permission, for either one user ({@code username}) or one role ({@code role}:
 * {@code ADMIN}, {@code USER}, or {@code ANONYMOUS} for clients without a user name).
 *
 * @param topicPattern an MQTT topic filter in which {@code %u} stands for the user name and
 * {@code %c} for the client id
 * @param position order among the rules of the same user or role; lower first
 */
public record AclRule(long id, String username, String role, String topicPattern, Access access,
		Permission permission, int position) {

	/** The role of clients that connect without a user name. */
	public static final String ANONYMOUS = "ANONYMOUS";

	/** "user alice" or "role USER". */
	public String subject() {
		return (this.username != null) ? "user " + this.username : "role " + this.role;
	}

	/** A one-line description, as shown by the access check. */
	public String describe() {
		return "#" + this.id + " (" + subject() + ": " + this.permission.value() + " " + this.access.value() + " "
				+ this.topicPattern + ")";
	}

}
