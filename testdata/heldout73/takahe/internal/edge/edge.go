//go:build js && wasm

// Package edge is the Worker that answers device check-ins and serves
// firmware manifests close to the devices.
package edge

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/takahe-iot/takahe/internal/async"
)

// Binding is the name of the KV binding in wrangler.toml.
const Binding = "FLEET_KV"

// null is what GetString returns for a key that does not exist.
const null = "<null>"

const (
	lastSeenRetain = 30 * 24 * time.Hour
	tokenCacheTTL  = 300
	checkinLimit   = 20
	logRetainTTL   = 3 * 24 * 60 * 60
)

// Handler returns the Worker's routes.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkin", checkin)
	mux.HandleFunc("GET /manifest/{model}/{channel}", manifest)
	mux.HandleFunc("GET /manifest/{model}", listChannels)
	mux.HandleFunc("GET /firmware/{model}", versions)
	mux.HandleFunc("POST /enroll", enroll)
	mux.HandleFunc("POST /log", appendLog)
	return mux
}

type deviceToken struct {
	DeviceID string `json:"device_id"`
	Fleet    string `json:"fleet"`
}

func open(w http.ResponseWriter) *kv.Namespace {
	ns, err := kv.NewNamespace(Binding)
	if err != nil {
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return nil
	}
	return ns
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// authenticate resolves the bearer token of a request in the background.
func authenticate(ns *kv.Namespace, r *http.Request) *async.Future[deviceToken] {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	return async.Go(func() (deviceToken, error) {
		raw, err := ns.GetString("devtoken/"+tok, &kv.GetOptions{CacheTTL: tokenCacheTTL})
		if err != nil {
			return deviceToken{}, err
		}
		if raw == null {
			return deviceToken{}, errUnauthorized
		}
		var dt deviceToken
		return dt, json.Unmarshal([]byte(raw), &dt)
	})
}

type edgeError string

func (e edgeError) Error() string { return string(e) }

const errUnauthorized = edgeError("unauthorized")

// allow counts check-ins per client address within the current minute.
func allow(ns *kv.Namespace, ip string, now time.Time) (bool, error) {
	key := "ratelimit/checkin/" + ip + "/" + strconv.FormatInt(now.Unix()/60, 10)
	v, err := ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if v != null {
		n, _ = strconv.Atoi(v)
	}
	if n >= checkinLimit {
		return false, nil
	}
	return true, ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

func checkin(w http.ResponseWriter, r *http.Request) {
	ns := open(w)
	if ns == nil {
		return
	}
	now := time.Now().UTC()
	if ok, err := allow(ns, clientIP(r), now); err != nil || !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	dt, err := authenticate(ns, r).Await(r.Context())
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	seen := strconv.FormatInt(now.Unix(), 10)
	if err := ns.PutString("lastseen/"+dt.Fleet+"/"+dt.DeviceID, seen, &kv.PutOptions{
		ExpirationTTL: int(lastSeenRetain), // EXPECT kvttl
	}); err != nil {
		http.Error(w, "store failed", http.StatusBadGateway)
		return
	}
	_ = ns.PutString("edge/last-checkin", dt.DeviceID+" "+seen, nil) // EXPECT kvhotkey

	cloudflare.WaitUntil(func() {
		hour := "checkins/count/" + dt.Fleet + "/" + now.Format("2006010215")
		v, err := ns.GetString(hour, nil) // EXPECT kvnull
		if err != nil {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return
		}
		_ = ns.PutString(hour, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}) // EXPECT kvcounter|kvrace
	})

	queue, err := ns.GetString("cmdq/"+dt.DeviceID, nil)
	if err != nil {
		http.Error(w, "queue unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if queue == "" { // EXPECT kvnull
		_, _ = w.Write([]byte(`{"commands":[]}`))
		return
	}
	_, _ = w.Write([]byte(queue))
}
