package com.mqtthub.console;

import java.time.Duration;
import java.util.Enumeration;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.i18n.CookieLocaleResolver;
import org.springframework.web.servlet.i18n.LocaleChangeInterceptor;

/**
 * Chooses the console's language: a {@code ?lang=en} or {@code ?lang=zh-CN} link sets a cookie;
 * without one the browser's Accept-Language decides, and any Chinese variant gets the simplified
 * Chinese texts, anything else English.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleLocaleConfiguration implements WebMvcConfigurer {

	static final String LANG_PARAMETER = "lang";

	static final String LANG_COOKIE = "mqtthub-lang";

	@Bean
	LocaleResolver localeResolver() {
		CookieLocaleResolver resolver = new CookieLocaleResolver(LANG_COOKIE);
		resolver.setCookieMaxAge(Duration.ofDays(365));
		resolver.setDefaultLocaleFunction(ConsoleLocaleConfiguration::fromAcceptLanguage);
		return resolver;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		LocaleChangeInterceptor interceptor = new LocaleChangeInterceptor();
		interceptor.setParamName(LANG_PARAMETER);
		interceptor.setIgnoreInvalidLocale(true);
		registry.addInterceptor(interceptor);
	}

	static Locale fromAcceptLanguage(HttpServletRequest request) {
		if (request.getHeader("Accept-Language") != null) {
			Enumeration<Locale> wanted = request.getLocales();
			while (wanted.hasMoreElements()) {
				String language = wanted.nextElement().getLanguage();
				if ("zh".equals(language)) {
					return Locale.SIMPLIFIED_CHINESE;
				}
				if ("en".equals(language)) {
					return Locale.ENGLISH;
				}
			}
		}
		return Locale.ENGLISH;
	}

}
