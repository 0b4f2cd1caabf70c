// Package bounces receives delivery-failure webhooks from the mail
// provider, keeps a bounce history per address and suppresses addresses
// that keep failing.
package bounces

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/larkspur/internal/backend/cfkv"
	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
)

// event is one entry of the provider's webhook payload.
type event struct {
	Email      string `json:"email"`
	Type       string `json:"type"`
	CampaignID string `json:"campaign_id"`
	Diagnostic string `json:"diagnostic"`
	Timestamp  int64  `json:"timestamp"`
}

var kinds = map[string]domain.BounceKind{"hard_bounce": domain.BounceHard, "invalid": domain.BounceHard, "spam_complaint": domain.BounceComplaint}

func (e event) kind() domain.BounceKind {
	if k, ok := kinds[e.Type]; ok {
		return k
	}
	return domain.BounceSoft
}

// Webhook is the http.Handler for POST /webhooks/bounces/{provider}.
type Webhook struct {
	api    *cloudflare.Client
	target cfkv.Target
	ks     keys.Space
	secret []byte
}

// NewWebhook returns a Webhook writing to the namespace of target.
func NewWebhook(api *cloudflare.Client, target cfkv.Target, ks keys.Space, secret string) *Webhook {
	return &Webhook{api: api, target: target, ks: ks, secret: []byte(secret)}
}

func (h *Webhook) verify(body []byte, sig string) bool {
	m := hmac.New(sha256.New, h.secret)
	m.Write(body)
	return hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(sig))
}

func (h *Webhook) put(ctx context.Context, key string, value []byte) error {
	_, err := h.api.KV.Namespaces.Values.Update(ctx, h.target.NamespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(h.target.AccountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F("{}"),
	})
	return err
}

// ServeHTTP implements http.Handler.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	provider := httpx.Tail(r, "/webhooks/bounces/")
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, "unreadable body")
		return
	}
	if !h.verify(body, r.Header.Get("X-Signature")) {
		httpx.Error(w, http.StatusUnauthorized, "bad signature")
		return
	}
	var events []event
	if err := json.Unmarshal(body, &events); err != nil {
		httpx.Error(w, http.StatusBadRequest, "payload is not a list of events")
		return
	}
	ctx := r.Context()
	for _, ev := range events {
		if err := h.record(ctx, ev); err != nil {
			httpx.Fail(w, err)
			return
		}
	}
	if err := h.countHit(ctx, provider); err != nil {
		httpx.Fail(w, err)
		return
	}
	last, _ := json.Marshal(map[string]any{"provider": provider, "events": len(events), "at": time.Now().UTC()})
	if _, err := h.api.KV.Namespaces.Values.Update(ctx, h.target.NamespaceID, h.ks.Prefix()+"webhook:bounces:last", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(h.target.AccountID),
		Value:     cloudflare.F(string(last)),
		Metadata:  cloudflare.F("{}"),
	}); err != nil {
		httpx.Fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// record appends an event to the address's history and suppresses the
// address once the history says so.
func (h *Webhook) record(ctx context.Context, ev event) error {
	hash := keys.EmailHash(ev.Email)
	key := h.ks.Bounces(hash)
	hist := domain.BounceHistory{EmailHash: hash}
	resp, err := h.api.KV.Namespaces.Values.Get(ctx, h.target.NamespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(h.target.AccountID)}) // EXPECT kvnull
	if err == nil {
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&hist); err != nil {
			return fmt.Errorf("bounces: history of %s: %w", hash, err)
		}
	}
	hist.Events = append(hist.Events, domain.Bounce{
		Kind:       ev.kind(),
		CampaignID: ev.CampaignID,
		Reason:     ev.Diagnostic,
		At:         time.Unix(ev.Timestamp, 0).UTC(),
	})
	b, err := json.Marshal(hist)
	if err != nil {
		return err
	}
	if err := h.put(ctx, key, b); err != nil { // EXPECT kvrace
		return err
	}
	if !hist.Hard() {
		return nil
	}
	return h.put(ctx, h.ks.Suppressed(hash), []byte(string(ev.kind())+" "+time.Now().UTC().Format(time.RFC3339)))
}

// countHit keeps per-provider delivery statistics for the status page.
func (h *Webhook) countHit(ctx context.Context, provider string) error {
	key := h.ks.Prefix() + "hits:webhook:" + provider
	n := 0
	resp, err := h.api.KV.Namespaces.Values.Get(ctx, h.target.NamespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(h.target.AccountID)})
	switch {
	case err == nil:
		defer resp.Body.Close()
		b, rerr := io.ReadAll(resp.Body)
		if rerr != nil {
			return rerr
		}
		n, _ = strconv.Atoi(string(b))
	case !cfkv.NotFound(err):
		return err
	}
	return h.put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

// Suppressed reports whether an address is on the suppression list. Only
// a 404 means "not suppressed"; any other failure is returned so that the
// sender does not mail an address it could not check.
func (h *Webhook) Suppressed(ctx context.Context, email string) (bool, error) {
	resp, err := h.api.KV.Namespaces.Values.Get(ctx, h.target.NamespaceID, h.ks.Suppressed(keys.EmailHash(email)), kv.NamespaceValueGetParams{AccountID: cloudflare.F(h.target.AccountID)})
	if err != nil {
		if cfkv.NotFound(err) {
			return false, nil
		}
		return false, err
	}
	resp.Body.Close()
	return true, nil
}
