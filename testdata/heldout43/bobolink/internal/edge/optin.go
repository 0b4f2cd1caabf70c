//go:build js && wasm

package edge

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"bobolink/internal/clock"
	"bobolink/internal/edgekv"
	"bobolink/internal/kvkeys"
)

// ListSettings is the part of a list's settings the edge needs.
type ListSettings struct {
	Name      string `json:"name"`
	Closed    bool   `json:"closed"`
	ThanksURL string `json:"thanks_url"`
	DoneURL   string `json:"done_url"`
}

func loadList(t *edgekv.Tenant) func(context.Context, listRef) (ListSettings, error) {
	return func(ctx context.Context, ref listRef) (ListSettings, error) {
		var s ListSettings
		raw, err := t.KV.Get(ctx, ref.List)
		if err != nil {
			return s, err
		}
		return s, json.Unmarshal([]byte(raw), &s)
	}
}

// Pending is a subscription waiting for the address owner to confirm.
type Pending struct {
	store *edgekv.Store

	Token       string    `json:"-"`
	Tenant      string    `json:"tenant"`
	List        string    `json:"list"`
	Email       string    `json:"email"`
	RequestedAt time.Time `json:"requested_at"`
}

type pendings struct{ store *edgekv.Store }

func (p *Pending) key() kvkeys.TokenKey {
	return kvkeys.TokenKey{Kind: kvkeys.KindOptIn, ID: p.Token}
}

// Find loads the pending subscription for an opt-in token.
func (ps pendings) Find(ctx context.Context, token string) (*Pending, error) {
	p := &Pending{store: ps.store, Token: token}
	raw, err := ps.store.Get(ctx, p.key())
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(raw), p); err != nil {
		return nil, err
	}
	return p, nil
}

// Save stores the pending subscription until it expires.
func (p *Pending) Save(ctx context.Context, ttl time.Duration) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return p.store.Put(ctx, p.key(), string(b), ttl)
}

// Delete removes the pending subscription.
func (p *Pending) Delete(ctx context.Context) error {
	return p.store.Delete(ctx, p.key()) // EXPECT kvsession
}

// allow applies the per-IP limit of the public subscribe form.
func (d Deps) allow(ctx context.Context, ip string, perMinute int) (bool, error) {
	window := d.Clock.Now().Unix() / 60
	key := kvkeys.Static(kvkeys.RateKey(ip, window))
	n := 0
	v, err := d.Edge.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(v); err != nil {
			return false, err
		}
	case !errors.Is(err, edgekv.ErrNotFound):
		return false, err
	}
	if n >= perMinute {
		return false, nil
	}
	return true, d.Edge.Put(ctx, key, strconv.Itoa(n+1), 2*time.Minute) // EXPECT kvcounter|kvrace
}

func handleSubscribe(d Deps) http.HandlerFunc {
	perMinute := clock.Int(d.Env, "SUBSCRIBE_PER_MINUTE", 5)
	optinTTL := clock.Duration(d.Env, "OPTIN_TTL", 48*time.Hour)
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		allowed, err := d.allow(ctx, r.Header.Get("CF-Connecting-IP"), perMinute)
		if err != nil {
			d.Log.Warn("subscribe limiter", "err", err)
		} else if !allowed {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		addr, err := mail.ParseAddress(r.FormValue("email"))
		if err != nil {
			http.Error(w, "invalid email", http.StatusBadRequest)
			return
		}
		list := kvkeys.ListKey(r.FormValue("list"))
		settings, err := d.Lists.GetOrLoad(ctx, listRef{Tenant: t.ID, List: list}, loadList(t))
		if errors.Is(err, edgekv.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		if settings.Closed {
			http.Error(w, "this list is closed", http.StatusGone)
			return
		}
		p := &Pending{
			store:       d.Tokens,
			Token:       newToken(),
			Tenant:      t.ID,
			List:        string(list),
			Email:       strings.ToLower(addr.Address),
			RequestedAt: d.Clock.Now().UTC(),
		}
		if err := p.Save(ctx, optinTTL); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := d.enqueueMail(mailJob{Template: "confirm", Tenant: t.ID, To: p.Email, Link: "https://" + t.Host + "/confirm/" + p.Token}); err != nil {
			d.Log.Error("enqueue confirm", "err", err)
		}
		http.Redirect(w, r, settings.ThanksURL, http.StatusSeeOther)
	}
}

var lastConfirmKey = kvkeys.Static("dashboard/last-confirmed")

func handleConfirm(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		p, err := pendings{store: d.Tokens}.Find(ctx, r.PathValue("token"))
		if errors.Is(err, edgekv.ErrNotFound) {
			http.Error(w, "this confirmation link has expired", http.StatusGone)
			return
		}
		if err != nil || p.Tenant != t.ID {
			http.Error(w, "invalid link", http.StatusBadRequest)
			return
		}
		now := d.Clock.Now().UTC()
		rec := subscriberRecord{List: p.List, Email: p.Email, Status: "confirmed", Source: "double-opt-in", ConfirmedAt: now, UpdatedAt: now}
		b, _ := json.Marshal(rec)
		if err := t.KV.Put(ctx, kvkeys.SubscriberKey{List: p.List, Email: p.Email}, string(b), 0); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := p.Delete(ctx); err != nil {
			d.Log.Warn("drop opt-in token", "err", err)
		}
		_ = d.Edge.Put(ctx, lastConfirmKey, t.ID+" "+p.List+" "+now.Format(time.RFC3339), 0) // EXPECT kvhotkey
		settings, err := d.Lists.GetOrLoad(ctx, listRef{Tenant: t.ID, List: kvkeys.ListKey(p.List)}, loadList(t))
		if err != nil || settings.DoneURL == "" {
			_, _ = w.Write([]byte("Thanks, you're subscribed."))
			return
		}
		http.Redirect(w, r, settings.DoneURL, http.StatusSeeOther)
	}
}

// unsubToken is "list|email|mac", base64url-encoded, minted by the mailer.
func (d Deps) verifyUnsub(token string) (list, email string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", "", false
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		return "", "", false
	}
	mac := hmac.New(sha256.New, d.Secret)
	mac.Write([]byte(parts[0] + "|" + parts[1]))
	want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	return parts[0], parts[1], hmac.Equal([]byte(want), []byte(parts[2]))
}

// handleUnsubscribe implements RFC 8058 one-click unsubscribe. Personal
// attributes are dropped on unsubscribe, so the record is replaced.
func handleUnsubscribe(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		list, email, ok := d.verifyUnsub(r.PathValue("token"))
		if !ok {
			http.Error(w, "invalid link", http.StatusBadRequest)
			return
		}
		rec := subscriberRecord{List: list, Email: email, Status: "unsubscribed", Source: "one-click", UpdatedAt: d.Clock.Now().UTC()}
		b, _ := json.Marshal(rec)
		if err := t.KV.Put(ctx, kvkeys.SubscriberKey{List: list, Email: email}, string(b), 0); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}
