//go:build js && wasm

// Package unsub handles one-click unsubscribe links (RFC 8058) at the edge.
package unsub

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"bufflehead/internal/edgekv"
)

// ErrBadSignature is returned for tampered links.
var ErrBadSignature = errors.New("unsub: bad signature")

// Link identifies one recipient on one list.
type Link struct {
	ListID string
	Email  string
}

// Signer creates and verifies unsubscribe links.
type Signer struct {
	Secret []byte
}

func (s Signer) mac(listID, email string) []byte {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(listID + "\x00" + email))
	return m.Sum(nil)
}

// Token returns the opaque token embedded in an unsubscribe URL.
func (s Signer) Token(l Link) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(l.ListID + "\x00" + l.Email))
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(l.ListID, l.Email))
}

// Parse verifies tok and returns the link it names.
func (s Signer) Parse(tok string) (Link, error) {
	payload, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return Link{}, ErrBadSignature
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Link{}, ErrBadSignature
	}
	listID, email, ok := strings.Cut(string(raw), "\x00")
	if !ok {
		return Link{}, ErrBadSignature
	}
	want, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(want, s.mac(listID, email)) {
		return Link{}, ErrBadSignature
	}
	return Link{ListID: listID, Email: email}, nil
}

func suppressionKey(l Link) string             { return "unsub:" + l.ListID + ":" + l.Email }
func listSuppressionsKey(listID string) string { return "unsub-list:" + listID }

// Record is stored per unsubscribed address.
type Record struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
	Via    string    `json:"via"`
}

// Apply records that l unsubscribed. It is safe to apply twice.
func Apply(ctx context.Context, ns edgekv.GetPutter, l Link, via string) error {
	rec := Record{At: time.Now().UTC(), Via: via}
	if err := edgekv.PutJSON(ctx, ns, suppressionKey(l), rec, 0); err != nil {
		return fmt.Errorf("unsub apply: %w", err)
	}
	return appendSuppression(ctx, ns, l.ListID, l.Email)
}

// appendSuppression keeps a per-list array so exports don't need to list keys.
func appendSuppression(ctx context.Context, ns edgekv.GetPutter, listID, email string) error {
	key := listSuppressionsKey(listID)
	var emails []string
	if raw, err := ns.Get(ctx, key); err == nil {
		if err := json.Unmarshal([]byte(raw), &emails); err != nil {
			return fmt.Errorf("unsub list %s: %w", listID, err)
		}
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	if slices.Contains(emails, email) {
		return nil
	}
	emails = append(emails, email)
	raw, err := json.Marshal(emails)
	if err != nil {
		return err
	}
	return ns.Put(ctx, key, string(raw), 0) // EXPECT kvrace
}

// IsSuppressed reports whether l has unsubscribed.
func IsSuppressed(ctx context.Context, ns edgekv.Getter, l Link) (bool, error) {
	_, err := ns.Get(ctx, suppressionKey(l))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, edgekv.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}
