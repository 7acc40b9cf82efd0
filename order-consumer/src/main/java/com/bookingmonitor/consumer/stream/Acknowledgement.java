package com.bookingmonitor.consumer.stream;

import java.util.List;

/**
 * The acknowledgement of a handled batch of one partition, made in one atomic call.
 *
 * @param entryIds stream entries to acknowledge
 * @param removedBookingIds booking ids to remove from the pending-bookings hash
 * @param ticketReturns dead-lettered bookings whose tickets go back to the inventory
 */
record Acknowledgement(List<String> entryIds, List<String> removedBookingIds, List<TicketReturn> ticketReturns) {

	/**
	 * Tickets of one dead-lettered booking, returned only if the same call removes the
	 * booking's pending field.
	 *
	 * @param bookingId the booking id, a field of the pending-bookings hash
	 * @param inventoryKey the event's inventory key
	 * @param quantity tickets to return
	 */
	record TicketReturn(String bookingId, String inventoryKey, int quantity) {

	}

	/**
	 * Result of the call.
	 *
	 * @param acknowledged entries the call removed from the group's pending entries
	 * @param removed fields the call removed from the pending-bookings hash
	 * @param ticketsReturned tickets the call added back to inventories
	 */
	record Result(long acknowledged, long removed, long ticketsReturned) {

	}

}
