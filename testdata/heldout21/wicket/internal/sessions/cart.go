package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"example.com/wicket/internal/domain/catalog"
	"example.com/wicket/internal/kvport"
)

// Basket is the list of copies scanned at a self-checkout kiosk before the
// patron confirms.
type Basket struct {
	Copies []catalog.CopyID `json:"copies"`
}

func basketKey(sessionID string) string { return "basket:" + sessionID }

// Scan adds a copy to the session's basket.
func (m *Manager) Scan(ctx context.Context, s Session, c catalog.CopyID) (Basket, error) {
	var b Basket
	raw, err := m.kv.Get(ctx, basketKey(s.ID))
	switch {
	case errors.Is(err, kvport.ErrNotFound):
	case err != nil:
		return b, err
	default:
		if err := json.Unmarshal([]byte(raw), &b); err != nil {
			return b, err
		}
	}
	if slices.Contains(b.Copies, c) {
		return b, nil
	}
	b.Copies = append(b.Copies, c)
	enc, err := json.Marshal(b)
	if err != nil {
		return b, err
	}
	err = m.kv.Put(ctx, basketKey(s.ID), string(enc), kvport.TTL(30*time.Minute)) // EXPECT kvsession
	return b, err
}
