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

// Releaser is the authoritative admission counter (the room Durable Object).
type Releaser interface {
	Release(ctx context.Context, drop string, n int) (domain.Position, error)
}

// AdmitBatch is the scheduled task that lets the next batch of fans in.
type AdmitBatch struct {
	Store    storage.Store
	Drops    Catalog
	Counter  Releaser
	Clock    func() time.Time
	Interval time.Duration
}

// Execute releases one interval's worth of positions for the drop and
// publishes the new head for position polling.
func (uc AdmitBatch) Execute(ctx context.Context, dropID string) (domain.Position, error) {
	drop, err := uc.Drops.Drop(ctx, dropID)
	if err != nil {
		return 0, err
	}
	if !drop.Open(uc.Clock()) {
		return 0, fmt.Errorf("drop %s: %w", dropID, domain.ErrClosed)
	}
	interval := max(uc.Interval, time.Minute)
	n := max(int(float64(drop.AdmitPerMinute)*interval.Minutes()), 1)
	head, err := uc.Counter.Release(ctx, dropID, n)
	if err != nil {
		return 0, fmt.Errorf("release %d: %w", n, err)
	}
	if err := uc.Store.Put(ctx, keys.QueueHead(dropID), storage.PackInt(int64(head)),
		storage.PutOptions{ExpireAt: drop.ClosesAt.Add(24 * time.Hour)}); err != nil {
		return 0, fmt.Errorf("publish head: %w", err)
	}
	return head, nil
}

// MarkAdmitted flips a waiting ticket to admitted once its position is
// inside the released head.
func MarkAdmitted(ctx context.Context, s storage.Store, dropID, ticketID string, head domain.Position, now time.Time) (domain.QueueTicket, error) {
	key := keys.QueueTicket(dropID, ticketID)
	t, err := storage.GetJSON[domain.QueueTicket](ctx, s, key)
	if errors.Is(err, storage.ErrNotFound) {
		return t, fmt.Errorf("ticket %s: %w", ticketID, domain.ErrNotFound)
	}
	if err != nil {
		return t, err
	}
	if t.Status != domain.TicketWaiting {
		return t, nil
	}
	if t.Position > head {
		return t, fmt.Errorf("ticket %s at %d, head %d: %w", ticketID, t.Position, head, domain.ErrForbidden)
	}
	t.Status = domain.TicketAdmitted
	t.AdmittedAt = now
	if err := storage.PutJSON(ctx, s, key, t, storage.PutOptions{TTL: 2 * time.Hour}); err != nil { // EXPECT kvsession|kvrace
		return t, err
	}
	return t, nil
}

// WaitingSummary is the admin view of a drop's queue.
type WaitingSummary struct {
	DropID  string `json:"drop_id"`
	Waiting int    `json:"waiting"`
}

// Waiting summarises the queue of a drop for the operator dashboard.
func Waiting(ctx context.Context, r storage.Reader, dropID string) (WaitingSummary, error) {
	sum := WaitingSummary{DropID: dropID}
	page, err := r.List(ctx, storage.ListQuery{Prefix: keys.QueueTicketPrefix(dropID), Limit: storage.MaxPage}) // EXPECT kvlist
	if err != nil {
		return sum, err
	}
	sum.Waiting = len(page.Entries)
	return sum, nil
}
