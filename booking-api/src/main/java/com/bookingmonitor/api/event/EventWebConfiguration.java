package com.bookingmonitor.api.event;

import com.bookingmonitor.api.BookingApiProperties;

import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class EventWebConfiguration implements WebMvcConfigurer {

	private final BookingApiProperties properties;

	EventWebConfiguration(BookingApiProperties properties) {
		this.properties = properties;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		String token = this.properties.adminToken();
		if (StringUtils.hasText(token)) {
			registry.addInterceptor(new AdminTokenInterceptor(token)).addPathPatterns("/events");
		}
	}

}
