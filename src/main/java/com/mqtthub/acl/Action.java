package com.mqtthub.acl;

/**
 * What a client asks to do with a topic.
 */
public enum Action {

	SUBSCRIBE, PUBLISH

}
