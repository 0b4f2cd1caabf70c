//go:build js && wasm

package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"bufflehead/internal/edgekv"
)

// ErrLinkInvalid is returned for unknown, used or expired login links.
var ErrLinkInvalid = errors.New("session: login link invalid")

const magicTTL = 15 * time.Minute

// Link is a pending passwordless login.
type Link struct {
	SenderID string    `json:"sender_id"`
	Email    string    `json:"email"`
	Issued   time.Time `json:"issued"`
}

func magicKey(code string) string { return "magic:" + code }

// IssueLink stores a one-time login code and returns it.
func IssueLink(ctx context.Context, ns edgekv.Putter, senderID, email string) (string, error) {
	code := randomID(24)
	l := Link{SenderID: senderID, Email: strings.ToLower(email), Issued: time.Now()}
	if err := edgekv.PutJSON(ctx, ns, magicKey(code), l, magicTTL); err != nil {
		return "", fmt.Errorf("issue login link: %w", err)
	}
	return code, nil
}

// RedeemLink exchanges a login code for a new session.
func RedeemLink(ctx context.Context, ns edgekv.GetDeleter, store *Store, code string) (*Session, error) {
	l, err := redeem(ctx, ns, code)
	if err != nil {
		return nil, err
	}
	return store.Create(ctx, l.SenderID, l.Email)
}

func redeem(ctx context.Context, ns edgekv.GetDeleter, code string) (Link, error) {
	var l Link
	if err := func() error {
		raw, err := ns.Get(ctx, magicKey(code))
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(raw), &l)
	}(); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return Link{}, ErrLinkInvalid
		}
		return Link{}, fmt.Errorf("redeem login link: %w", err)
	}
	if time.Since(l.Issued) > magicTTL {
		return Link{}, ErrLinkInvalid
	}
	if err := ns.Delete(ctx, magicKey(code)); err != nil { // EXPECT kvsession
		return Link{}, fmt.Errorf("redeem login link: %w", err)
	}
	return l, nil
}
