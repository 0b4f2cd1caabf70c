package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var (
	nonceAt   = kvx.Prefixed("sms-receipt-nonce:")
	receiptAt = kvx.Prefixed("sms-receipt:")
)

// Receipt is a delivery report posted by the SMS provider.
type Receipt struct {
	MessageID string    `json:"message_id"`
	Status    string    `json:"status"`
	Nonce     string    `json:"nonce"`
	SentAt    time.Time `json:"sent_at"`
}

// Receipts verifies and stores delivery reports.
type Receipts struct {
	Store  kvstore.Store
	Secret []byte
	Clock  func() time.Time
}

// Accept checks the signature and freshness of a report and stores it.
func (r Receipts) Accept(ctx context.Context, body []byte, signature string) error {
	mac := hmac.New(sha256.New, r.Secret)
	mac.Write(body)
	want := mac.Sum(nil)
	got, err := hex.DecodeString(signature)
	if err != nil || !hmac.Equal(want, got) {
		return fmt.Errorf("receipt signature: %w", domain.ErrForbidden)
	}
	var rc Receipt
	if err := json.Unmarshal(body, &rc); err != nil {
		return fmt.Errorf("receipt: %w", domain.ErrInvalid)
	}
	if r.Clock().Sub(rc.SentAt) > 5*time.Minute {
		return fmt.Errorf("receipt: %w", domain.ErrExpired)
	}
	seen, err := kvx.Exists(ctx, r.Store, nonceAt(rc.Nonce))
	if err != nil {
		return err
	}
	if seen {
		return fmt.Errorf("receipt nonce replayed: %w", domain.ErrConflict)
	}
	if err := r.Store.Put(ctx, nonceAt(rc.Nonce), []byte(rc.MessageID), kvstore.WriteOptions{ // EXPECT kvsession|kvrace
		TTL: 10 * time.Minute,
	}); err != nil {
		return err
	}
	return r.Store.Put(ctx, receiptAt(rc.MessageID), body, kvstore.WriteOptions{TTL: 30 * 24 * time.Hour})
}
