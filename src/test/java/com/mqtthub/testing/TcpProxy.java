package com.mqtthub.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 to a local port that can be stopped (every connection cut, the port
 * closed) and started again on the same port: a server going away and coming back, as a client
 * sees it, without restarting the server.
 */
public final class TcpProxy implements AutoCloseable {

	private final int target;

	private final int port;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile ServerSocket server;

	public TcpProxy(int target) throws IOException {
		this.target = target;
		try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			this.port = probe.getLocalPort();
		}
		start();
	}

	public int port() {
		return this.port;
	}

	/** Listens again on the same port. */
	public synchronized void start() throws IOException {
		ServerSocket listening = new ServerSocket();
		listening.setReuseAddress(true);
		listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port));
		this.server = listening;
		Thread acceptor = new Thread(() -> accept(listening), "tcp-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/** Closes the port and cuts every relayed connection. */
	public synchronized void stop() throws IOException {
		ServerSocket listening = this.server;
		this.server = null;
		if (listening != null) {
			listening.close();
		}
		for (Socket socket : this.sockets) {
			socket.close();
		}
		this.sockets.clear();
	}

	@Override
	public void close() throws IOException {
		stop();
	}

	private void accept(ServerSocket listening) {
		while (!listening.isClosed()) {
			try {
				Socket client = listening.accept();
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.target);
				this.sockets.add(client);
				this.sockets.add(upstream);
				pump(client, upstream);
				pump(upstream, client);
			}
			catch (IOException ex) {
				// Closed by stop(), or the target refused: the client sees its connection end.
			}
		}
	}

	private void pump(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16384];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// Either side closed.
			}
			finally {
				try {
					from.close();
					to.close();
				}
				catch (IOException ex) {
					// Already closed.
				}
			}
		}, "tcp-proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

}
