//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

// eventReplayWindow is how long (seconds) a storefront's event id is
// remembered; storefronts retry for at most 20 s.
const eventReplayWindow = 30

// perIPPerMinute caps unauthenticated-looking bursts before the key check.
const perIPPerMinute = 120

type edgeConfig struct {
	AcceptTypes []string `json:"accept_types"`
	MaxBatch    int      `json:"max_batch"`
}

type inboundEvent struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	CustomerID string          `json:"customer_id"`
	Data       json.RawMessage `json:"data"`
}

type apiKey struct {
	MerchantID string   `json:"merchant_id"`
	Scopes     []string `json:"scopes"`
}

func loadConfig(ns *kv.Namespace) edgeConfig {
	cfg := edgeConfig{AcceptTypes: []string{"orders.placed", "orders.status_changed"}, MaxBatch: 50}
	raw, err := ns.GetString("config:edge", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || raw == null {
		return cfg
	}
	_ = json.Unmarshal([]byte(raw), &cfg)
	return cfg
}

// rateLimited counts the caller's requests in the current minute.
func rateLimited(ns *kv.Namespace, ip string, now time.Time) (bool, error) {
	minute := now.Unix() / 60
	key := fmt.Sprintf("rl:%s:%d", ip, minute)
	raw, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(raw)
	if n >= perIPPerMinute {
		block := &kv.PutOptions{Expiration: int(time.Now().Add(20 * time.Second).Unix())} // EXPECT kvttl
		_ = ns.PutString("rl-block:"+ip, "1", block)
		return true, nil
	}
	return false, ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

func authenticate(ns *kv.Namespace, r *http.Request) (*apiKey, error) {
	secret := r.Header.Get("X-Kingfisher-Key")
	if secret == "" {
		return nil, nil
	}
	sum := sha256.Sum256([]byte(secret))
	raw, err := ns.GetString("apikey:"+hex.EncodeToString(sum[:]), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if raw == "" { // EXPECT kvnull
		return nil, nil
	}
	var k apiKey
	if err := json.Unmarshal([]byte(raw), &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// handleEvents accepts a batch of storefront events and enqueues the new
// ones.
func handleEvents(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	ip := r.Header.Get("CF-Connecting-IP")
	if blocked, err := ns.GetString("rl-block:"+ip, nil); err == nil && blocked != null {
		fail(w, http.StatusTooManyRequests, "slow down")
		return
	}
	if limited, err := rateLimited(ns, ip, time.Now()); err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	} else if limited {
		fail(w, http.StatusTooManyRequests, "slow down")
		return
	}

	key, err := authenticate(ns, r)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if key == nil {
		fail(w, http.StatusUnauthorized, "unknown api key")
		return
	}

	cfg := loadConfig(ns)
	var batch []inboundEvent
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&batch); err != nil {
		fail(w, http.StatusBadRequest, "bad batch")
		return
	}
	if len(batch) > cfg.MaxBatch {
		fail(w, http.StatusRequestEntityTooLarge, "batch too large")
		return
	}

	producer, err := queues.NewProducer(queueBinding)
	if err != nil {
		fail(w, http.StatusInternalServerError, "queue binding missing")
		return
	}
	seenOpts := &kv.PutOptions{ExpirationTTL: eventReplayWindow} // EXPECT kvttl
	accepted, duplicates := 0, 0
	for _, ev := range batch {
		if !accepts(cfg, ev.Type) || ev.ID == "" {
			continue
		}
		seenKey := "evt:" + key.MerchantID + ":" + ev.ID
		prev, err := ns.GetString(seenKey, nil)
		if err != nil {
			fail(w, http.StatusServiceUnavailable, "try again")
			return
		}
		if prev != null {
			duplicates++
			continue
		}
		if err := producer.SendJSON(map[string]any{
			"uuid":     ev.ID,
			"topic":    ev.Type,
			"merchant": key.MerchantID,
			"customer": ev.CustomerID,
			"payload":  ev.Data,
		}); err != nil {
			fail(w, http.StatusServiceUnavailable, "queue unavailable")
			return
		}
		if err := ns.PutString(seenKey, strconv.FormatInt(time.Now().Unix(), 10), seenOpts); err != nil { // EXPECT kvrace
			fail(w, http.StatusServiceUnavailable, "try again")
			return
		}
		accepted++
	}

	_ = ns.PutString("edge:last-event-at", time.Now().UTC().Format(time.RFC3339Nano), nil) // EXPECT kvhotkey
	writeJSON(w, http.StatusAccepted, map[string]int{"accepted": accepted, "duplicates": duplicates})
}

func accepts(cfg edgeConfig, typ string) bool {
	for _, t := range cfg.AcceptTypes {
		if strings.EqualFold(t, typ) {
			return true
		}
	}
	return false
}
