//go:build js && wasm

// Package optin implements double opt-in: a subscriber signs up, receives a
// confirmation link, and is added to the list once they click it.
package optin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"bufflehead/internal/edgekv"
)

var (
	// ErrUnknownToken means the confirmation token does not exist or has expired.
	ErrUnknownToken = errors.New("optin: unknown token")
	// ErrAlreadyConfirmed means the token was used before.
	ErrAlreadyConfirmed = errors.New("optin: already confirmed")
	// ErrTooSoon means a confirmation mail was sent to this address recently.
	ErrTooSoon = errors.New("optin: confirmation recently sent")
)

const (
	tokenLifetime = 48 * time.Hour
	resendWindow  = 10 * time.Minute
)

// Pending is an unconfirmed signup.
type Pending struct {
	ListID    string    `json:"list_id"`
	Email     string    `json:"email"`
	Source    string    `json:"source,omitempty"`
	Issued    time.Time `json:"issued"`
	Status    string    `json:"status"`
	Confirmed time.Time `json:"confirmed,omitzero"`
}

func tokenKey(tok string) string            { return "optin:" + tok }
func guardKey(listID, email string) string  { return "optin-sent:" + listID + ":" + email }
func memberKey(listID, email string) string { return "member:" + listID + ":" + email }
func normalize(email string) string         { return strings.ToLower(strings.TrimSpace(email)) }
func newToken() string                      { b := make([]byte, 20); _, _ = rand.Read(b); return hex.EncodeToString(b) }

// Issue records a pending signup and returns the confirmation token.
func Issue(ctx context.Context, ns edgekv.Store, listID, email, source string) (string, error) {
	email = normalize(email)
	if err := checkGuard(ctx, ns, listID, email); err != nil {
		return "", err
	}
	tok := newToken()
	p := Pending{ListID: listID, Email: email, Source: source, Issued: time.Now(), Status: "pending"}
	if err := edgekv.PutJSON(ctx, ns, tokenKey(tok), p, tokenLifetime); err != nil {
		return "", fmt.Errorf("optin issue: %w", err)
	}
	return tok, nil
}

func checkGuard(ctx context.Context, ns edgekv.GetPutter, listID, email string) error {
	key := guardKey(listID, email)
	switch _, err := ns.Get(ctx, key); {
	case err == nil:
		return ErrTooSoon
	case !errors.Is(err, edgekv.ErrNotFound):
		return fmt.Errorf("optin guard: %w", err)
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	return ns.Put(ctx, key, stamp, resendWindow) // EXPECT kvrace
}

// Confirm redeems a token and adds the subscriber to the list.
func Confirm(ctx context.Context, ns edgekv.Store, tok string) (Pending, error) {
	p, err := confirmToken(ctx, ns, tok)
	if err != nil {
		return Pending{}, err
	}
	member := struct {
		Email     string    `json:"email"`
		Source    string    `json:"source,omitempty"`
		Confirmed time.Time `json:"confirmed"`
	}{p.Email, p.Source, p.Confirmed}
	if err := edgekv.PutJSON(ctx, ns, memberKey(p.ListID, p.Email), member, 0); err != nil {
		return Pending{}, fmt.Errorf("optin add member: %w", err)
	}
	return p, nil
}

func confirmToken(ctx context.Context, ns edgekv.GetPutter, tok string) (Pending, error) {
	var p Pending
	r := edgekv.Reader{G: ns}
	if err := r.Into(ctx, tokenKey(tok), &p); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return Pending{}, ErrUnknownToken
		}
		return Pending{}, err
	}
	if p.Status == "confirmed" {
		return Pending{}, ErrAlreadyConfirmed
	}
	if err := markUsed(ctx, ns, tok, &p); err != nil {
		return Pending{}, err
	}
	return p, nil
}

func markUsed(ctx context.Context, ns edgekv.Putter, tok string, p *Pending) error {
	p.Status = "confirmed"
	p.Confirmed = time.Now().UTC()
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return ns.Put(ctx, tokenKey(tok), string(raw), 24*time.Hour) // EXPECT kvsession|kvrace
}

// Withdraw cancels a pending signup before it is confirmed.
func Withdraw(ctx context.Context, ns edgekv.Deleter, tok string) error {
	return ns.Delete(ctx, tokenKey(tok)) // EXPECT kvsession
}
