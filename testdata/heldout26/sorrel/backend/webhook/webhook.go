// Package webhook receives status callbacks from partner carriers that do the
// line-haul and rural legs of a delivery.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/sorrel/backend/cfkv"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

// Event is a carrier callback.
type Event struct {
	ID        string    `json:"id"`
	ParcelID  string    `json:"parcel_id"`
	Kind      string    `json:"kind"`
	HoldUntil time.Time `json:"hold_until,omitzero"`
	ETA       time.Time `json:"eta,omitzero"`
	Depot     string    `json:"depot,omitempty"`
	At        time.Time `json:"at"`
}

// Forwarder passes handovers on to the scan pipeline.
type Forwarder interface {
	Handover(ctx context.Context, carrier string, ev Event) error
}

// Receiver verifies and applies carrier callbacks.
type Receiver struct {
	store   kvstore.Store
	ks      keyspace.Space
	secrets map[string][]byte
	fwd     Forwarder

	api     *cloudflare.Client
	account string
	statsNS string
}

// Option configures a Receiver.
type Option interface{ apply(*Receiver) }

type secretOption struct {
	carrier string
	key     []byte
}

func (o secretOption) apply(r *Receiver) { r.secrets[o.carrier] = o.key }

type statsOption struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

func (o statsOption) apply(r *Receiver) { r.api, r.account, r.statsNS = o.api, o.account, o.namespace }

// Secret registers a carrier's signing key.
func Secret(carrier string, key []byte) Option { return secretOption{carrier: carrier, key: key} }

// Stats enables per-carrier delivery statistics in the given namespace.
func Stats(api *cloudflare.Client, account, namespace string) Option {
	return statsOption{api: api, account: account, namespace: namespace}
}

// NewReceiver returns a receiver writing to st.
func NewReceiver(st kvstore.Store, ks keyspace.Space, opts ...Option) *Receiver {
	r := &Receiver{store: st, ks: ks, secrets: map[string][]byte{}}
	for _, o := range opts {
		o.apply(r)
	}
	return r
}

// SetForwarder injects the handover sink.
func (rc *Receiver) SetForwarder(f Forwarder) { rc.fwd = f }

var errBadSignature = errors.New("webhook: bad signature")

func (rc *Receiver) verify(carrier string, body []byte, sig string) error {
	key, ok := rc.secrets[carrier]
	if !ok {
		return fmt.Errorf("webhook: unknown carrier %q", carrier)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errBadSignature
	}
	return nil
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	carrier := r.Header.Get("X-Carrier")
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, "unreadable body")
		return
	}
	if err := rc.verify(carrier, body, r.Header.Get("X-Signature")); err != nil {
		httpx.Error(w, http.StatusUnauthorized, err.Error())
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.ParcelID == "" {
		httpx.Error(w, http.StatusBadRequest, "malformed event")
		return
	}
	ctx := r.Context()

	key, ttl := rc.ks.WebhookEntry(carrier, ev.ID)
	if _, err := rc.store.Get(ctx, key); err == nil {
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "duplicate"})
		return
	} else if !kvstore.IsMissing(err) {
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if err := rc.store.Put(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)), kvstore.WithTTL(ttl)); err != nil { // EXPECT kvrace
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}

	if err := rc.apply(ctx, carrier, ev); err != nil {
		log.Printf("webhook %s/%s: %v", carrier, ev.ID, err)
		httpx.Error(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if err := rc.store.Put(ctx, rc.ks.Prefix()+"carrier:last-delivery", []byte(carrier)); err != nil { // EXPECT kvhotkey
		log.Printf("webhook last-delivery: %v", err)
	}
	if rc.api != nil {
		if err := rc.countDelivery(ctx, carrier); err != nil {
			log.Printf("webhook stats %s: %v", carrier, err)
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "applied"})
}

func (rc *Receiver) apply(ctx context.Context, carrier string, ev Event) error {
	switch ev.Kind {
	case "hold":
		raw, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		ttl := max(time.Until(ev.HoldUntil), 5*time.Second) // EXPECT kvttl
		return rc.store.Put(ctx, rc.ks.CarrierHold(ev.ParcelID), raw, kvstore.WithTTL(ttl))
	case "eta":
		if ev.ETA.Before(time.Now()) {
			return fmt.Errorf("eta %s is in the past", ev.ETA.Format(time.RFC3339))
		}
		ttl := max(time.Until(ev.ETA)+time.Hour, time.Minute)
		return rc.store.Put(ctx, rc.ks.ETAOverride(ev.ParcelID), []byte(ev.ETA.UTC().Format(time.RFC3339)), kvstore.WithTTL(ttl))
	case "handover":
		if rc.fwd == nil {
			return errors.New("no forwarder configured")
		}
		return rc.fwd.Handover(ctx, carrier, ev)
	}
	return fmt.Errorf("unknown event kind %q", ev.Kind)
}

// countDelivery keeps a per-carrier tally for the monthly partner invoice.
func (rc *Receiver) countDelivery(ctx context.Context, carrier string) error {
	key := rc.ks.Prefix() + "deliveries:" + carrier
	n := 0
	res, err := rc.api.KV.Namespaces.Values.Get(ctx, rc.statsNS, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(rc.account)})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if n, err = strconv.Atoi(string(b)); err != nil {
			return err
		}
	case !cfkv.NotFound(err):
		return err
	}
	_, err = rc.api.KV.Namespaces.Values.Update(ctx, rc.statsNS, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(rc.account),
		Value:     cloudflare.F(strconv.Itoa(n + 1)),
	})
	return err
}
