package waitroom

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// JoinInput is a request to enter a drop's queue.
type JoinInput struct {
	DropID    string
	VisitorID string
	ClientIP  string
	Variant   string
}

// JoinOutput is the ticket handed back to the fan.
type JoinOutput struct {
	Ticket domain.QueueTicket
	Ahead  int64
}

// JoinQueue enters a fan into a drop's queue.
type JoinQueue struct {
	Store             storage.Store
	Drops             Catalog
	Positions         PositionAllocator
	MaxJoinsPerMinute int
	Clock             func() time.Time
}

// Execute runs the use case.
func (uc JoinQueue) Execute(ctx context.Context, in JoinInput) (JoinOutput, error) {
	var out JoinOutput
	if in.DropID == "" || in.VisitorID == "" {
		return out, domain.Invalid("drop", "drop and visitor are required")
	}
	if err := uc.throttle(ctx, in.ClientIP); err != nil {
		return out, err
	}
	drop, err := uc.Drops.Drop(ctx, in.DropID)
	if err != nil {
		return out, err
	}
	now := uc.Clock()
	if !drop.Open(now) {
		return out, fmt.Errorf("drop %s: %w", drop.ID, domain.ErrClosed)
	}

	pos, err := uc.Positions.NextPosition(ctx, drop.ID)
	if err != nil {
		return out, fmt.Errorf("allocate position: %w", err)
	}
	t := domain.QueueTicket{
		ID:        rand.Text(),
		DropID:    drop.ID,
		VisitorID: in.VisitorID,
		Position:  pos,
		Status:    domain.TicketWaiting,
		JoinedAt:  now,
		Variant:   in.Variant,
	}
	b, err := json.Marshal(t)
	if err != nil {
		return out, err
	}
	if err := storage.PutTTL(ctx, uc.Store, keys.QueueTicket(drop.ID, t.ID), b,
		time.Until(drop.ClosesAt), // EXPECT kvttl
	); err != nil {
		return out, fmt.Errorf("store ticket: %w", err)
	}

	head, err := storage.ReadInt[domain.Position](ctx, uc.Store, keys.QueueHead(drop.ID), 0)
	if err != nil {
		return out, err
	}
	return JoinOutput{Ticket: t, Ahead: max(int64(pos-head)-1, 0)}, nil
}

// throttle refuses a client that joined too often in the last minute.
func (uc JoinQueue) throttle(ctx context.Context, client string) error {
	if client == "" {
		return nil
	}
	key := keys.JoinAttempts(client)
	n := 0
	raw, err := uc.Store.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return fmt.Errorf("join throttle: %w", err)
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= uc.MaxJoinsPerMinute {
		return fmt.Errorf("client %s: %w", client, domain.ErrRateLimited)
	}
	if err := uc.Store.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.PutOptions{TTL: time.Minute}); err != nil { // EXPECT kvcounter
		return fmt.Errorf("join throttle: %w", err)
	}
	return nil
}
