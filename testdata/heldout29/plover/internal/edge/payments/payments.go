//go:build js && wasm

// Package payments takes registration fees: it starts checkouts with the
// payment provider and records the provider's webhooks.
package payments

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/edge/sessions"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
	"example.com/plover/internal/league"
)

// lockTTL bounds how long a stuck checkout blocks a retry.
const lockTTL = 15 * time.Second

// Registration is what a family pays for.
type Registration struct {
	ID          string          `json:"id"`
	Player      league.PlayerID `json:"player"`
	Season      league.SeasonID `json:"season"`
	AmountCents int             `json:"amountCents"`
	Email       string          `json:"email"`
}

// Checkout is the provider's hosted payment page.
type Checkout struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Provider is the payment processor.
type Provider interface {
	CreateCheckout(ctx context.Context, reg Registration) (Checkout, error)
}

// Service implements the payment endpoints.
type Service struct {
	kv       *kvbind.Client
	seen     *kvbind.Bucket
	replies  *kvbind.Bucket
	receipts *kvbind.Bucket
	regs     *kvbind.Bucket
	provider Provider
	secret   []byte
	now      func() time.Time
}

// New builds the service. secret verifies webhook signatures.
func New(kv *kvbind.Client, p Provider, secret string) *Service {
	return &Service{
		kv:       kv,
		seen:     kv.Bucket("whk"),
		replies:  kv.Bucket("idem"),
		receipts: kv.Bucket("receipt"),
		regs:     kv.Bucket("reg"),
		provider: p,
		secret:   []byte(secret),
		now:      time.Now,
	}
}

type CheckoutReq struct {
	Registration string `json:"registration"`
}

// Checkout starts a payment. Clients send an Idempotency-Key so a double tap
// or a retried request does not open two checkouts.
func (s *Service) Checkout(ctx context.Context, req CheckoutReq) (Checkout, error) {
	sess := sessions.FromContext(ctx)
	if sess == nil {
		return Checkout{}, httpx.ErrUnauthorized
	}
	idem := httpx.FromContext(ctx).Header("Idempotency-Key")
	if idem == "" {
		return Checkout{}, httpx.Errorf(http.StatusBadRequest, "Idempotency-Key header required")
	}
	d := keys.Digest(sess.Email + "|" + idem)

	var prev Checkout
	if ok, err := s.replies.GetJSON(d, &prev); err != nil {
		return Checkout{}, err
	} else if ok {
		return prev, nil
	}

	lockKey := "lock:checkout:" + d
	if _, held, err := s.kv.Lookup(lockKey); err != nil {
		return Checkout{}, err
	} else if held {
		return Checkout{}, httpx.ErrConflict
	}
	opts := &kvbind.PutOpts{
		TTL: lockTTL, // EXPECT kvttl
	}
	if err := s.kv.Put(lockKey, sess.Email, opts); err != nil { // EXPECT kvrace
		return Checkout{}, err
	}
	context.AfterFunc(ctx, func() {
		if err := s.kv.Delete(lockKey); err != nil {
			slog.Warn("release checkout lock", "err", err)
		}
	})

	var reg Registration
	if ok, err := s.regs.GetJSON(req.Registration, &reg); err != nil || !ok || reg.Email != sess.Email {
		return Checkout{}, cmp.Or(err, httpx.ErrNotFound)
	}
	co, err := s.provider.CreateCheckout(ctx, reg)
	if err != nil {
		return Checkout{}, err
	}
	if err := s.replies.PutJSONFor(d, co, 24*time.Hour); err != nil {
		slog.Warn("store checkout reply", "err", err)
	}
	return co, nil
}

// receipt is the data of a checkout.completed event, plus when we saw it.
type receipt struct {
	Registration string    `json:"registration"`
	AmountCents  int       `json:"amountCents"`
	Checkout     string    `json:"checkout"`
	PaidAt       time.Time `json:"paidAt"`
}

type webhookEvent struct {
	ID   string  `json:"id"`
	Type string  `json:"type"`
	Data receipt `json:"data"`
}

func (s *Service) verify(sig string, body []byte) bool {
	mac := hmac.New(sha256.New, s.secret)
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// Webhook records provider events. Providers redeliver on timeouts, so a
// repeat gets the response we gave the first time.
func (s *Service) Webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	var evt webhookEvent
	if err != nil || !s.verify(r.Header.Get("X-Signature"), body) || json.Unmarshal(body, &evt) != nil {
		httpx.WriteError(w, httpx.Errorf(http.StatusBadRequest, "bad event"))
		return
	}
	prev, seen, err := s.seen.Get(evt.ID)
	if err != nil {
		httpx.WriteError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if seen {
		io.WriteString(w, prev)
		return
	}
	reply := map[string]string{"event": evt.ID, "status": "ignored"}
	if evt.Type == "checkout.completed" {
		rc := evt.Data
		rc.PaidAt = s.now().UTC()
		if err := s.receipts.PutJSON(rc.Registration, rc); err != nil {
			httpx.WriteError(w, err)
			return
		}
		reply["status"] = "recorded"
	}
	out, _ := json.Marshal(reply)
	if err := s.seen.PutFor(evt.ID, string(out), 72*time.Hour); err != nil { // DEBATABLE kvrace
		slog.Warn("remember webhook", "event", evt.ID, "err", err)
	}
	w.Write(out)
}
