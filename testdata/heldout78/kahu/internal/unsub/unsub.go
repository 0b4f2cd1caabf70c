// Package unsub mints RFC 8058 one-click unsubscribe links. The edge Worker
// serves the links and records the opt-out.
package unsub

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"kahu/internal/kv"
)

// Record is what a token resolves to.
type Record struct {
	Customer  string    `json:"customer"`
	Recipient string    `json:"recipient"`
	List      string    `json:"list"`
	QueueID   string    `json:"queue_id"`
	IssuedAt  time.Time `json:"issued_at"`
}

// Minter issues tokens for outgoing messages.
type Minter struct {
	NS       kv.Namespace
	BaseURL  string // https://u.kahu.email
	Lifetime time.Duration
}

// TokenKey is the key under which a token's record is kept.
func TokenKey(token string) string { return "unsub:tok:" + token }

// Mint stores a fresh token for rec and returns the List-Unsubscribe and
// List-Unsubscribe-Post header values.
func (m *Minter) Mint(ctx context.Context, rec Record) (listUnsub, listUnsubPost string, err error) {
	token := rand.Text()
	rec.IssuedAt = time.Now()
	b, err := json.Marshal(rec)
	if err != nil {
		return "", "", err
	}
	if err := m.NS.PutTTL(ctx, TokenKey(token), b, max(m.Lifetime, 30*24*time.Hour)); err != nil {
		return "", "", err
	}
	return fmt.Sprintf("<%s/u/%s>", m.BaseURL, token), "List-Unsubscribe=One-Click", nil
}
