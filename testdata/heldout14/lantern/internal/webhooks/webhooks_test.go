package webhooks

import (
	"context"
	"errors"
	"testing"
	"time"

	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"example.com/lantern/internal/store/memstore"
	"fmt"
)

func TestHandleVerifiesAndDedups(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	now := time.Unix(1_750_000_000, 0)
	var applied []int64
	r := &Receiver{
		Secret:      []byte("whsec"),
		Tolerance:   5 * time.Minute,
		MaxAttempts: 3,
		Seen:        m,
		State:       m,
		Apply:       func(_ context.Context, ev Event) error { applied = append(applied, ev.Seq); return nil },
		Clock:       func() time.Time { return now },
	}
	body := []byte(`{"events":[{"seq":7,"type":"refund"},{"seq":8,"type":"payout"}]}`)
	sig := Sign(r.Secret, now, body)
	if err := r.Handle(ctx, "d1", sig, body); err != nil {
		t.Fatal(err)
	}
	if err := r.Handle(ctx, "d1", sig, body); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("replay: %v", err)
	}
	if len(applied) != 2 {
		t.Fatalf("applied %v", applied)
	}
	if err := r.Handle(ctx, "d2", sig, []byte(`{}`)); !errors.Is(err, ErrSignature) {
		t.Fatalf("tampered: %v", err)
	}
}

func TestHandleGivesUp(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_750_000_000, 0)
	r := &Receiver{
		Secret: []byte("k"), Tolerance: time.Minute, MaxAttempts: 2,
		Seen: memstore.New(), State: memstore.New(),
		Apply: func(context.Context, Event) error { return errors.New("boom") },
		Clock: func() time.Time { return now },
	}
	body := []byte(`{"events":[{"seq":1}]}`)
	sig := Sign(r.Secret, now, body)
	_ = r.Handle(ctx, "d", sig, body)
	if err := r.Handle(ctx, "d", sig, body); !errors.Is(err, ErrGiveUp) {
		t.Fatalf("err = %v", err)
	}
}

func Sign(secret []byte, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%d.", ts.Unix())
	m.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", ts.Unix(), hex.EncodeToString(m.Sum(nil)))
}
