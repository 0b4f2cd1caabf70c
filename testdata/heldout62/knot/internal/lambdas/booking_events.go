// Package lambdas holds the AWS Lambda functions of the clinic backend. They
// consume the scheduling outbox from SQS, serve the pharmacy-facing refill
// API behind API Gateway and run the nightly sweep from EventBridge, and all
// of them keep the edge's KV namespaces current with cloudflare-go.
package lambdas

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/meridiancare/knot/internal/kvstore"
)

// releaseGrace is how long the edge shows a just-cancelled slot as
// "recently released" before it reappears as ordinary availability.
const releaseGrace = 30 * time.Second

// BookingEvent is published by the scheduling service's outbox.
type BookingEvent struct {
	Type        string    `json:"type"` // booked, cancelled, no_show
	BookingID   string    `json:"booking_id"`
	SlotID      string    `json:"slot_id"`
	ClinicianID string    `json:"clinician_id"`
	PatientID   string    `json:"patient_id"`
	Day         string    `json:"day"`
	At          time.Time `json:"at"`
}

type lastEvent struct {
	MessageID string    `json:"message_id"`
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
}

// BookingEvents consumes the booking-events SQS queue with partial batch
// responses enabled.
type BookingEvents struct {
	Edge *kvstore.Namespace
}

// Handle is the Lambda entry point.
func (h *BookingEvents) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	deadline, _ := ctx.Deadline()
	for _, msg := range ev.Records {
		var be BookingEvent
		if err := json.Unmarshal([]byte(msg.Body), &be); err != nil {
			slog.ErrorContext(ctx, "dropping malformed booking event", "message_id", msg.MessageId, "err", err)
			continue
		}
		if err := h.apply(ctx, be, deadline); err != nil {
			slog.WarnContext(ctx, "booking event failed", "message_id", msg.MessageId, "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
			continue
		}
		stamp := lastEvent{MessageID: msg.MessageId, Type: be.Type, At: be.At}
		if err := h.Edge.PutJSON(ctx, "booking-events:last", stamp, 0); err != nil { // EXPECT kvhotkey
			slog.WarnContext(ctx, "last-event stamp failed", "err", err)
		}
	}
	return resp, nil
}

func (h *BookingEvents) apply(ctx context.Context, be BookingEvent, deadline time.Time) error {
	if !deadline.IsZero() {
		if err := h.Edge.Put(ctx, "slot-pending:"+be.SlotID, []byte(be.Type),
			time.Until(deadline)); err != nil { // EXPECT kvttl
			return err
		}
	}

	bookedKey := fmt.Sprintf("booked:%s:%s", be.ClinicianID, be.Day)
	var booked []string
	if _, err := h.Edge.GetJSON(ctx, bookedKey, &booked); err != nil {
		return err
	}
	switch be.Type {
	case "booked":
		booked = append(booked, be.SlotID)
	case "cancelled", "no_show":
		booked = slices.DeleteFunc(booked, func(id string) bool { return id == be.SlotID })
		if be.Type == "cancelled" {
			if err := h.Edge.PutUntil(ctx, "slot-released:"+be.SlotID, []byte(be.BookingID),
				time.Now().Add(releaseGrace)); err != nil { // EXPECT kvttl
				return err
			}
		}
	default:
		return nil
	}
	if err := h.Edge.PutJSON(ctx, bookedKey, booked, 3*24*time.Hour); err != nil { // EXPECT kvrace
		return err
	}
	return h.Edge.Delete(ctx, fmt.Sprintf("slots:%s:%s", be.ClinicianID, be.Day))
}
