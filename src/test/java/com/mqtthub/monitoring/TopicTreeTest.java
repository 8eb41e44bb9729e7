package com.mqtthub.monitoring;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicTreeTest {

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void listsTheRecordedTopicsFlatAndSorted() {
		TopicTree tree = new TopicTree(100, 16);
		tree.record("a/b/c", bytes("1"), 1, false, 1000);
		tree.record("a/b", bytes("22"), 2, true, 2000);
		tree.record("a/b/c", bytes("333"), 3, false, 3000);
		tree.record("x", bytes(""), 0, false, 4000);

		List<TopicTree.TopicEntry> entries = tree.entries();
		assertThat(entries).extracting(TopicTree.TopicEntry::topic).containsExactly("a/b", "a/b/c", "x");
		TopicTree.TopicEntry ab = entries.get(0);
		assertThat(ab.count()).isEqualTo(1);
		assertThat(ab.retained()).isTrue();
		TopicTree.TopicEntry abc = entries.get(1);
		assertThat(abc.count()).isEqualTo(2);
		assertThat(abc.payload()).isEqualTo("MzMz");
		assertThat(abc.lastTime().toEpochMilli()).isEqualTo(3000);
		assertThat(tree.topics()).containsExactly("a/b", "a/b/c", "x");
	}

	@Test
	void aTopicOfThousandsOfLevelsIsOneEntry() {
		TopicTree tree = new TopicTree(10, 4);
		String deep = "l/".repeat(5000) + "end";
		tree.record(deep, bytes("x"), 1, false, 1);
		assertThat(tree.entries()).singleElement().extracting(TopicTree.TopicEntry::topic).isEqualTo(deep);
	}

	@Test
	void ranksTheBusiestTopicsOfTheLastSecond() {
		TopicTree tree = new TopicTree(10, 4);
		for (int i = 0; i < 5; i++) {
			tree.record("busy", bytes("x"), 1, false, i);
		}
		tree.record("quiet", bytes("x"), 1, false, 9);
		tree.record("old", bytes("x"), 1, false, 9);
		tree.tick();
		tree.record("old", bytes("x"), 1, false, 9);
		assertThat(tree.busiest(2)).containsExactly(new TopicTree.TopicRate("busy", 5),
				new TopicTree.TopicRate("old", 1));
		tree.tick();
		assertThat(tree.busiest(10)).containsExactly(new TopicTree.TopicRate("old", 1));
		assertThat(tree.busiest(-1)).isEmpty();
	}

	@Test
	void evictsTheLeastRecentlyUsedTopicBeyondTheCap() {
		TopicTree tree = new TopicTree(3, 4);
		tree.record("t/1", bytes("a"), 1, false, 1);
		tree.record("t/2", bytes("a"), 1, false, 2);
		tree.record("t/3", bytes("a"), 1, false, 3);
		tree.record("t/1", bytes("b"), 1, false, 4);
		tree.record("t/4", bytes("a"), 1, false, 5);

		assertThat(tree.topics()).containsExactly("t/1", "t/3", "t/4");
		assertThat(tree.size()).isEqualTo(3);
		assertThat(tree.evicted()).isEqualTo(1);
	}

	@Test
	void anEmptyRetainedMessageOrADeletionClearsTheRetainedFlag() {
		TopicTree tree = new TopicTree(10, 4);
		tree.record("r", bytes("x"), 1, true, 1);
		assertThat(tree.entries().get(0).retained()).isTrue();
		tree.record("r", bytes(""), 0, true, 2);
		assertThat(tree.entries().get(0).retained()).isFalse();
		tree.record("r", bytes("x"), 1, true, 3);
		tree.retainedDeleted("r");
		assertThat(tree.entries().get(0).retained()).isFalse();
	}

	@Test
	void marksPayloadsKeptOnlyInPart() {
		TopicTree tree = new TopicTree(10, 4);
		tree.record("p", bytes("abcd"), 10, false, 1);
		TopicTree.TopicEntry node = tree.entries().get(0);
		assertThat(node.truncated()).isTrue();
		assertThat(node.payloadSize()).isEqualTo(10);
	}

}
