package com.mqtthub.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Netty reports a leaked buffer only after the garbage collector has found it and another buffer
 * is tracked; at the end of a test run neither may have happened. This sweep makes both happen,
 * so that leaks from the last tests are reported too (into the file the build checks).
 */
public class NettyLeakSweep implements TestExecutionListener {

	@Override
	public void testPlanExecutionFinished(TestPlan testPlan) {
		for (int round = 0; round < 3; round++) {
			System.gc();
			for (int i = 0; i < 64; i++) {
				ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
				probe.release();
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

}
