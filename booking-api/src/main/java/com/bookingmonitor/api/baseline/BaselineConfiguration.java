package com.bookingmonitor.api.baseline;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the baseline endpoints under the profile {@code baseline}. Its tables are created
 * here rather than by a migration, so no production database ever has them.
 */
@Configuration(proxyBeanMethods = false)
@Profile("baseline")
class BaselineConfiguration {

	@Bean
	BaselineBookings baselineBookings(JdbcTemplate jdbc, TransactionTemplate transactions) {
		jdbc.execute(BaselineBookings.CREATE_TABLES);
		return new BaselineBookings(jdbc, transactions);
	}

}
