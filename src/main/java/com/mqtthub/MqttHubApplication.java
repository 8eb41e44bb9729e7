package com.mqtthub;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * MQTT Hub: an MQTT broker with a browser console, in one application.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class MqttHubApplication {

	public static void main(String[] args) {
		SpringApplication.run(MqttHubApplication.class, args);
	}

}
