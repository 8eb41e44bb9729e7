package com.mqtthub.bridge;

import java.nio.file.Path;

import com.mqtthub.broker.BrokerProperties;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.monitoring.DashboardStream;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/** Wires the bridges from {@code mqtthub.bridges} and from the database. */
@Configuration(proxyBeanMethods = false)
class BridgeConfiguration {

	@Bean
	BridgeService bridgeService(BridgesProperties properties, EmbeddedBroker broker, MeterRegistry registry) {
		BridgeService service = new BridgeService(properties, broker, System::getenv);
		service.setMetrics(new BridgeMetrics(registry, service));
		return service;
	}

	@Bean
	BridgeTiles bridgeTiles(BridgeService bridges, DashboardStream dashboard) {
		BridgeTiles tiles = new BridgeTiles(bridges);
		dashboard.addSection("bridges", tiles);
		return tiles;
	}

	@Bean
	@DependsOnDatabaseInitialization
	StoredBridges storedBridges(JdbcClient jdbc, PlatformTransactionManager transactions,
			BridgeSecretsProperties secrets, BrokerProperties broker, BridgeService bridges) {
		Path keyFile = (secrets.getKeyFile() != null) ? secrets.getKeyFile()
				: broker.getDataDirectory().resolve("bridge-secrets.key");
		return new StoredBridges(new BridgeRepository(jdbc, transactions), new BridgeSecrets(secrets.getKey(), keyFile),
				bridges, System::getenv);
	}

}
