// Package doorlock issues the keypad codes that open after-hours study
// rooms, and answers the lock controllers when a code is typed.
package doorlock

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/domain/rooms"
	"example.com/wicket/internal/kvport"
)

var (
	ErrUnknownCode = errors.New("doorlock: unknown code")
	ErrOutsideSlot = errors.New("doorlock: code not valid at this time")
)

// Grant is what a code unlocks.
type Grant struct {
	Lock      string       `json:"lock"`
	Room      rooms.RoomID `json:"room"`
	Patron    patron.ID    `json:"patron,omitempty"`
	Kind      string       `json:"kind"`
	NotBefore time.Time    `json:"notBefore"`
	NotAfter  time.Time    `json:"notAfter"`
}

// Valid reports whether t falls inside the grant's window.
func (g Grant) Valid(t time.Time) bool {
	return !t.Before(g.NotBefore) && t.Before(g.NotAfter)
}

func codeKey(lock, code string) string { return "door:" + lock + ":" + code }

func newCode(digits int) (string, error) {
	var sb strings.Builder
	for range digits {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		sb.WriteByte(byte('0' + n.Int64()))
	}
	return sb.String(), nil
}

// Registry manages codes through the storage port.
type Registry struct {
	KV kvport.Store
}

// Revoke withdraws a code before its window ends, e.g. when a booking is
// cancelled or a card is reported stolen.
func (r Registry) Revoke(ctx context.Context, lock, code string) error {
	if err := r.KV.Delete(ctx, codeKey(lock, code)); err != nil { // EXPECT kvsession
		return fmt.Errorf("doorlock: revoke: %w", err)
	}
	return nil
}

// ActiveCodes returns a page of codes for a lock, for the controller's
// offline cache.
func (r Registry) ActiveCodes(ctx context.Context, lock, cursor string) (codes []string, next string, err error) {
	prefix := "door:" + lock + ":"
	page, err := r.KV.List(ctx, kvport.Prefix(prefix).After(cursor).
		Limit(2000)) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	for _, k := range page.Keys {
		codes = append(codes, strings.TrimPrefix(k.Name, prefix))
	}
	if !page.Complete {
		next = page.Cursor
	}
	return codes, next, nil
}
