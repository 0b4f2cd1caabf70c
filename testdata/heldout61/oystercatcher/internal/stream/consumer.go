// Package stream consumes the Kafka topics the box office shares with the
// venue systems and the identity service.
package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/organiser"
	"github.com/boxoffice/oystercatcher/internal/ticketing"
)

const (
	TopicTicketScanned   = "venue.ticket-scanned"
	TopicPasswordChanged = "identity.password-changed"
	TopicEventUpdated    = "catalog.event-updated"
)

// Consumer reads the low-volume topics one message at a time and commits
// each offset after its KV work is done.
type Consumer struct {
	Reader   *kafka.Reader
	KV       *kvstore.Store
	Sessions *organiser.Sessions
	EventTTL time.Duration
}

func NewReader(brokers []string, groupID string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:     brokers,
		GroupID:     groupID,
		GroupTopics: []string{TopicTicketScanned, TopicPasswordChanged, TopicEventUpdated},
		MinBytes:    1,
		MaxBytes:    1 << 20,
		MaxWait:     500 * time.Millisecond,
	})
}

func (c *Consumer) Run(ctx context.Context) error {
	for {
		m, err := c.Reader.FetchMessage(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("fetch: %w", err)
		}
		if err := c.dispatch(ctx, m); err != nil {
			slog.ErrorContext(ctx, "kafka handler", "topic", m.Topic, "offset", m.Offset, "err", err)
		}
		if err := c.Reader.CommitMessages(ctx, m); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
}

func (c *Consumer) dispatch(ctx context.Context, m kafka.Message) error {
	switch m.Topic {
	case TopicTicketScanned:
		return c.onTicketScanned(ctx, m)
	case TopicPasswordChanged:
		return c.onPasswordChanged(ctx, m)
	case TopicEventUpdated:
		return c.onEventUpdated(ctx, m)
	default:
		return fmt.Errorf("unexpected topic %q", m.Topic)
	}
}

type ticketScanned struct {
	TicketID string    `json:"ticket_id"`
	EventID  string    `json:"event_id"`
	Gate     string    `json:"gate"`
	At       time.Time `json:"at"`
}

type attendanceEntry struct {
	TicketID string    `json:"t"`
	Gate     string    `json:"g"`
	At       time.Time `json:"at"`
}

// onTicketScanned keeps the per-event attendance list the organiser's
// live door view renders.
func (c *Consumer) onTicketScanned(ctx context.Context, m kafka.Message) error {
	var ev ticketScanned
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		return err
	}
	key := ticketing.AttendanceKey(ev.EventID)
	var list []attendanceEntry
	raw, err := c.KV.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	list = append(list, attendanceEntry{TicketID: ev.TicketID, Gate: ev.Gate, At: ev.At})
	buf, _ := json.Marshal(list)
	return c.KV.Put(ctx, key, buf, 7*24*time.Hour) // EXPECT kvrace
}

type passwordChanged struct {
	OrgID  string `json:"org_id"`
	UserID string `json:"user_id"`
}

func (c *Consumer) onPasswordChanged(ctx context.Context, m kafka.Message) error {
	var ev passwordChanged
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		return err
	}
	n, err := c.Sessions.RevokeAll(ctx, ev.OrgID)
	slog.InfoContext(ctx, "sessions revoked after password change", "org", ev.OrgID, "count", n)
	return err
}

// onEventUpdated refreshes the cached event with the catalog's new copy.
func (c *Consumer) onEventUpdated(ctx context.Context, m kafka.Message) error {
	var ev ticketing.Event
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		return err
	}
	buf, _ := json.Marshal(ev)
	return c.KV.Put(ctx, ticketing.EventKey(ev.ID), buf, c.EventTTL)
}
