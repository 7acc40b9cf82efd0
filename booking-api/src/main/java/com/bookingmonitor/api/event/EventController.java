package com.bookingmonitor.api.event;

import java.net.URI;

import jakarta.validation.Valid;

import com.bookingmonitor.api.inventory.Inventory;
import com.bookingmonitor.api.web.ApiProblemException;
import com.bookingmonitor.api.web.ProblemType;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class EventController {

	private final EventRepository events;

	private final Inventory inventory;

	EventController(EventRepository events, Inventory inventory) {
		this.events = events;
		this.inventory = inventory;
	}

	/**
	 * Stores the event, then seeds its inventory. The event is committed before Redis is
	 * called, so a failed seed leaves an event without inventory, which the next booking
	 * rebuilds, rather than inventory without an event.
	 */
	@PostMapping("/events")
	ResponseEntity<EventView> create(@Valid @RequestBody CreateEventRequest request) {
		Event event = this.events.insert(request.name(), request.capacity());

		this.inventory.seed(event);

		return ResponseEntity.created(URI.create("/events/" + event.id()))
			.body(new EventView(event.id(), event.name(), event.capacity(), event.capacity(), 0));
	}

	@GetMapping("/events/{id}")
	EventView event(@PathVariable long id) {
		Event event = this.events.find(id)
			.orElseThrow(() -> new ApiProblemException(ProblemType.EVENT_NOT_FOUND, "No event with id " + id)
				.with("eventId", id));
		long available = this.inventory.available(event);
		long confirmed = this.events.confirmedTickets(id);
		return new EventView(event.id(), event.name(), event.capacity(), available, confirmed);
	}

}
