package waitroom

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// PositionView is what a polling fan is shown.
type PositionView struct {
	TicketID   string              `json:"ticket_id"`
	Status     domain.TicketStatus `json:"status"`
	Position   domain.Position     `json:"position"`
	Ahead      int64               `json:"ahead"`
	EstimateIn time.Duration       `json:"estimate_ns"`
	Retry      time.Duration       `json:"retry_after_ns"`
}

// PositionQuery reports where a ticket stands.
type PositionQuery struct {
	Store storage.Reader
	Drops Catalog
}

// Execute returns the view of one ticket.
func (q PositionQuery) Execute(ctx context.Context, dropID, ticketID string) (PositionView, error) {
	t, err := storage.GetJSON[domain.QueueTicket](ctx, q.Store, keys.QueueTicket(dropID, ticketID))
	if errors.Is(err, storage.ErrNotFound) {
		return PositionView{}, fmt.Errorf("ticket %s: %w", ticketID, domain.ErrNotFound)
	}
	if err != nil {
		return PositionView{}, err
	}
	view := PositionView{TicketID: t.ID, Status: t.Status, Position: t.Position}
	if t.Status != domain.TicketWaiting {
		return view, nil
	}

	head, err := storage.ReadInt[domain.Position](ctx, q.Store, keys.QueueHead(dropID), 0)
	if err != nil {
		return view, err
	}
	view.Ahead = max(int64(t.Position-head)-1, 0)

	drop, err := q.Drops.Drop(ctx, dropID)
	if err != nil {
		return view, err
	}
	rate := max(drop.AdmitPerMinute, 1)
	view.EstimateIn = time.Duration(view.Ahead/int64(rate)+1) * time.Minute
	view.Retry = min(max(view.EstimateIn/10, 5*time.Second), time.Minute)
	return view, nil
}
