//go:build js && wasm

// Command checkin is the edge Worker that devices call over HTTPS when MQTT is
// unavailable: periodic check-ins, config fetches and firmware manifests. It
// reads and writes the same FLEET namespace as ingestd, plus EDGE for
// short-lived edge state.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	sessionTTL     = 3600
	checkinTTL     = 30
	configCacheTTL = 15
	cohortCacheTTL = 300
	fwListLimit    = 2000
	checkinsPerMin = 20
)

type app struct {
	fleet *kv.Namespace
	edge  *kv.Namespace
}

func (a *app) namespaces() error {
	var err error
	if a.fleet == nil {
		if a.fleet, err = kv.NewNamespace("FLEET"); err != nil {
			return err
		}
	}
	if a.edge == nil {
		a.edge, err = kv.NewNamespace("EDGE")
	}
	return err
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return "unknown"
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type session struct {
	Device  string `json:"device"`
	Created int64  `json:"created"`
	Seen    int64  `json:"seen"`
}

type checkinReq struct {
	Device string  `json:"device"`
	Token  string  `json:"token"`
	FW     string  `json:"fw"`
	Uptime int64   `json:"uptime"`
	Temp   float64 `json:"temp"`
}

type deviceConfig struct {
	Cohort      string         `json:"cohort"`
	Settings    map[string]any `json:"settings"`
	LastCheckin int64          `json:"last_checkin"`
	LastFW      string         `json:"last_fw"`
}

// allow applies the per-IP check-in rate limit.
func (a *app) allow(ip string) (bool, error) {
	key := "rl:checkin:" + ip
	v, err := a.edge.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if n >= checkinsPerMin {
		return false, nil
	}
	return true, a.edge.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace
}

// authenticate resolves the caller's session, or creates one from the device
// token on the first check-in after boot.
func (a *app) authenticate(w http.ResponseWriter, r *http.Request, req checkinReq) (*session, bool) {
	now := time.Now().Unix()
	if sid := r.Header.Get("X-Session"); sid != "" {
		raw, err := a.edge.GetString("sess:"+sid, nil)
		if err == nil && raw != "<null>" {
			var s session
			if json.Unmarshal([]byte(raw), &s) == nil && s.Device == req.Device {
				s.Seen = now
				b, _ := json.Marshal(s)
				_ = a.edge.PutString("sess:"+sid, string(b), &kv.PutOptions{ExpirationTTL: sessionTTL}) // EXPECT kvsession|kvrace
				return &s, true
			}
		}
	}
	owner, err := a.fleet.GetString("token:"+req.Token, &kv.GetOptions{CacheTTL: 60})
	if err != nil || owner == "<null>" || owner != req.Device {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "bad credentials"})
		return nil, false
	}
	s := session{Device: req.Device, Created: now, Seen: now}
	sid := randomID()
	b, _ := json.Marshal(s)
	if err := a.edge.PutString("sess:"+sid, string(b), &kv.PutOptions{ExpirationTTL: sessionTTL}); err != nil { // DEBATABLE kvsession
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "session"})
		return nil, false
	}
	w.Header().Set("X-Session", sid)
	return &s, true
}

func (a *app) checkin(w http.ResponseWriter, r *http.Request) {
	if ok, err := a.allow(clientIP(r)); err != nil || !ok {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "slow down"})
		return
	}
	var req checkinReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Device == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	if _, ok := a.authenticate(w, r, req); !ok {
		return
	}
	now := time.Now().Unix()
	rec, _ := json.Marshal(req)
	if err := a.fleet.PutString("checkin:"+req.Device, string(rec), &kv.PutOptions{
		ExpirationTTL: checkinTTL, // EXPECT kvttl
	}); err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
		return
	}
	_ = a.fleet.PutString("lastseen:"+req.Device, strconv.FormatInt(now, 10), &kv.PutOptions{ExpirationTTL: 900})

	countKey := "checkins:" + req.Device + ":" + time.Now().UTC().Format("20060102")
	if prev, err := a.edge.GetString(countKey, nil); err == nil {
		n := 0
		if prev != "<null>" {
			n, _ = strconv.Atoi(prev)
		}
		_ = a.edge.PutString(countKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 172800}) // EXPECT kvcounter|kvrace
	}

	cfgKey := "devcfg:" + req.Device
	var cfg deviceConfig
	raw, err := a.fleet.GetString(cfgKey, nil)
	if err == nil && raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &cfg)
	}
	cfg.LastCheckin = now
	cfg.LastFW = req.FW
	b, _ := json.Marshal(cfg)
	_ = a.fleet.PutString(cfgKey, string(b), nil)                                              // EXPECT kvrace
	_ = a.edge.PutString("stats:last-checkin", req.Device+"@"+strconv.FormatInt(now, 10), nil) // EXPECT kvhotkey

	// One-shot command nonce that the device echoes on its next MQTT connect.
	nonce := randomID()
	_ = a.edge.PutString("cmdnonce:"+req.Device, nonce, &kv.PutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "nonce": nonce, "server_time": now})
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	sid := r.Header.Get("X-Session")
	if sid == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := a.edge.Delete("sess:" + sid); err != nil { // EXPECT kvsession
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) config(w http.ResponseWriter, r *http.Request) {
	device := r.PathValue("device")
	v, err := a.fleet.GetString("config:"+device, &kv.GetOptions{CacheTTL: configCacheTTL}) // EXPECT kvttl
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
		return
	}
	if v == "" { // EXPECT kvnull
		cohort := r.URL.Query().Get("cohort")
		cv, err := a.fleet.GetString("cohort:"+cohort, &kv.GetOptions{CacheTTL: cohortCacheTTL}) // EXPECT kvnull
		if err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
			return
		}
		var settings map[string]any
		if err := json.Unmarshal([]byte(cv), &settings); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "cohort config"})
			return
		}
		b, _ := json.Marshal(settings)
		v = string(b)
	}
	_ = a.edge.PutString("config:served-at", strconv.FormatInt(time.Now().Unix(), 10), nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(v))
}

type manifest struct {
	Cohort   string   `json:"cohort"`
	Images   []string `json:"images"`
	Channels []string `json:"channels"`
}

func (a *app) firmware(w http.ResponseWriter, r *http.Request) {
	cohort := r.PathValue("cohort")
	res, err := a.fleet.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "fw:" + cohort + "/",
		Limit:  fwListLimit, // EXPECT kvlimits
	})
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
		return
	}
	m := manifest{Cohort: cohort}
	for _, k := range res.Keys {
		m.Images = append(m.Images, strings.TrimPrefix(k.Name, "fw:"+cohort+"/"))
	}
	chans, _ := a.fleet.GetString("channels:"+cohort, &kv.GetOptions{CacheTTL: 600}) // EXPECT kvnull
	m.Channels = strings.Split(chans, ",")
	writeJSON(w, http.StatusOK, m)
}

// siteDevices lists devices registered at a site, for the installer app.
func (a *app) siteDevices(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	prefix := "site:" + site + "/"
	var out []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		res, err := a.fleet.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"site": site, "devices": out})
}

// cohortDevices returns one page of a cohort's members with the cursor for the
// next page.
func (a *app) cohortDevices(w http.ResponseWriter, r *http.Request) {
	cohort := r.PathValue("cohort")
	res, err := a.fleet.List(&kv.ListOptions{
		Prefix: "ota/cohort/" + cohort + "/",
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  500,
	})
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": names, "next": next})
}

// activeAlarms collects the alarms of a site, stopping at a fixed budget of
// pages; the response says whether it is partial.
func (a *app) activeAlarms(w http.ResponseWriter, r *http.Request) {
	device := r.PathValue("device")
	prefix := "alarm:" + device + ":"
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	var metrics []string
	partial := true
	for range 3 {
		res, err := a.fleet.List(opts)
		if err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": "store"})
			return
		}
		for _, k := range res.Keys {
			metrics = append(metrics, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			partial = false
			break
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"device": device, "metrics": metrics, "partial": partial})
}

func main() {
	a := &app{}
	mux := http.NewServeMux()
	with := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := a.namespaces(); err != nil {
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("POST /v1/checkin", with(a.checkin))
	mux.HandleFunc("POST /v1/logout", with(a.logout))
	mux.HandleFunc("GET /v1/config/{device}", with(a.config))
	mux.HandleFunc("GET /v1/firmware/{cohort}", with(a.firmware))
	mux.HandleFunc("GET /v1/sites/{site}/devices", with(a.siteDevices))
	mux.HandleFunc("GET /v1/cohorts/{cohort}/devices", with(a.cohortDevices))
	mux.HandleFunc("GET /v1/devices/{device}/alarms", with(a.activeAlarms))
	workers.Serve(mux)
}
