//go:build js && wasm

// Command worker is the edge Worker. It answers courier location pings,
// delivery-PIN checks at the customer's door and fee quotes, reading the
// state the dispatch backend mirrors into KV.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	couriersBinding = "COURIERS"
	ordersBinding   = "ORDERS"
	zonesBinding    = "ZONES"
	kvNull          = "<null>"

	// locTTLSeconds keeps a courier's last fix only while it is fresh.
	locTTLSeconds  = 30
	pingsPerMinute = 30
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /couriers/{id}/ping", handlePing)
	mux.HandleFunc("POST /orders/{id}/pin", handlePIN)
	mux.HandleFunc("GET /zones/{id}/quote", handleQuote)
	mux.HandleFunc("GET /admin/couriers/online", handleOnline)
	mux.HandleFunc("POST /admin/locations/purge", handlePurge)
	mux.HandleFunc("GET /restaurants/{id}/open", handleOpenOrders)
	workers.Serve(mux)
}

func namespace(w http.ResponseWriter, binding string) *kv.Namespace {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return nil
	}
	return ns
}

type ping struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
	At  int64   `json:"at"`
}

func handlePing(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w, couriersBinding)
	if ns == nil {
		return
	}
	courierID := r.PathValue("id")
	sid := r.Header.Get("X-Session")
	sess, err := ns.GetString(fmt.Sprintf("session:courier:%s:%s", courierID, sid), &kv.GetOptions{CacheTTL: 300})
	if err != nil || sess == kvNull {
		http.Error(w, "session expired", http.StatusUnauthorized)
		return
	}

	rlKey := "ratelimit:ping:" + courierID
	seen, err := ns.GetString(rlKey, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	n := 0
	if seen != kvNull {
		n, _ = strconv.Atoi(seen)
	}
	if n >= pingsPerMinute {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	_ = ns.PutString(rlKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace

	var pings []ping
	if err := json.NewDecoder(r.Body).Decode(&pings); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var trail strings.Builder
	for _, p := range pings {
		fix := fmt.Sprintf("%.6f,%.6f,%d", p.Lat, p.Lng, p.At)
		trail.WriteString(fix + "\n")
		err := ns.PutString("loc:"+courierID, fix, &kv.PutOptions{ // EXPECT kvhotkey
			ExpirationTTL: locTTLSeconds, // EXPECT kvttl
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}

	old, err := ns.GetString("trail:"+courierID, nil)
	if err == nil {
		if old == kvNull {
			old = ""
		}
		_ = ns.PutString("trail:"+courierID, old+trail.String(), &kv.PutOptions{ExpirationTTL: 12 * 3600}) // EXPECT kvrace
	}
	_ = ns.PutString("edge:last_ping_at", strconv.FormatInt(time.Now().Unix(), 10), nil) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)
}

// quote is the fee quote shown before checkout.
type quote struct {
	ZoneID     string  `json:"zone_id"`
	Multiplier float64 `json:"multiplier"`
	FeeCents   int64   `json:"fee_cents"`
}

func handleQuote(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w, zonesBinding)
	if ns == nil {
		return
	}
	zoneID := r.PathValue("id")
	q := quote{ZoneID: zoneID, Multiplier: 1, FeeCents: 499}

	if cfg, err := ns.GetString("zone:"+zoneID+":config", &kv.GetOptions{CacheTTL: 600}); err == nil && cfg != kvNull {
		var settings struct {
			BaseFeeCents int64 `json:"base_fee_cents"`
		}
		if json.Unmarshal([]byte(cfg), &settings) == nil && settings.BaseFeeCents > 0 {
			q.FeeCents = settings.BaseFeeCents
		}
	}
	surge, err := ns.GetString("zone:"+zoneID+":surge", &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err == nil && surge != kvNull {
		var s struct {
			M float64 `json:"m"`
		}
		if json.Unmarshal([]byte(surge), &s) == nil {
			q.Multiplier = s.M
		}
	}
	override, _ := ns.GetString("zone:"+zoneID+":override", nil)
	if override != "" { // EXPECT kvnull
		var s struct {
			M float64 `json:"m"`
		}
		_ = json.Unmarshal([]byte(override), &s)
		q.Multiplier = s.M
	}
	q.FeeCents = int64(float64(q.FeeCents) * q.Multiplier)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(q)
}

type onlineCourier struct {
	CourierID string `json:"courier_id"`
	Fix       string `json:"fix"`
}

func handleOnline(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w, couriersBinding)
	if ns == nil {
		return
	}
	var out []onlineCourier
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{ // EXPECT kvlist
			Prefix: "loc:",
			Limit:  2000, // EXPECT kvlimits
			Cursor: cursor,
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			fix, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || fix == kvNull {
				continue
			}
			out = append(out, onlineCourier{CourierID: strings.TrimPrefix(k.Name, "loc:"), Fix: fix})
		}
		cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// handlePurge removes location fixes of couriers that went offline without
// logging out. It walks at most ten pages per call.
func handlePurge(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w, couriersBinding)
	if ns == nil {
		return
	}
	cutoff := int(time.Now().Add(10 * time.Second).Unix())
	res, err := ns.List(&kv.ListOptions{Prefix: "loc:", Limit: 500})
	purged := 0
	for page := 0; err == nil && page < 10; page++ {
		for _, k := range res.Keys {
			if k.Expiration != 0 && k.Expiration < cutoff {
				if ns.Delete(k.Name) == nil {
					purged++
				}
			}
		}
		if res.ListComplete {
			break
		}
		res, err = ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 500}) // EXPECT kvlist
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "purged %d\n", purged)
}

// handleOpenOrders counts a restaurant's orders waiting for pickup. The
// metadata-free listing is enough: order keys carry the state in their name.
func handleOpenOrders(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w, ordersBinding)
	if ns == nil {
		return
	}
	prefix := "open:" + r.PathValue("id") + ":"
	count, cursor := 0, ""
	for page := 0; page < 5; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		count += len(res.Keys)
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	fmt.Fprintf(w, "%d\n", count)
}
