package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/billing/internal/config"
	"example.com/billing/internal/storage/memstore"
)

func sign(secret []byte, body string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(body))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestDuplicateDeliveryHandledOnce(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	r := NewReceiver(store, config.Webhooks{Provider: "stripe", DedupWindow: time.Hour}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := r.EnsureSecret(ctx); err != nil {
		t.Fatal(err)
	}
	calls := 0
	r.On("invoice.finalized", func(context.Context, Event) error { calls++; return nil })

	body := `{"id":"evt_1","type":"invoice.finalized","data":{}}`
	deliver := func() int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(body))
		req.Header.Set("Webhook-Signature", sign(r.secret, body))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := deliver(); code != http.StatusOK {
		t.Fatalf("first delivery: %d", code)
	}
	if code := deliver(); code != http.StatusOK {
		t.Fatalf("redelivery: %d", code)
	}
	if calls != 1 {
		t.Fatalf("handler ran %d times", calls)
	}
}

func TestBadSignature(t *testing.T) {
	r := NewReceiver(memstore.New(), config.Webhooks{Provider: "stripe"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.secret = []byte("s3cret")
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(`{}`))
	req.Header.Set("Webhook-Signature", "00")
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("code = %d", rec.Code)
	}
}
