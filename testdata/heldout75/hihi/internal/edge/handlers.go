//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"hihi/internal/db"
	"hihi/internal/ent"
)

const (
	// missTTL remembers codes that do not exist, so kiosks retrying a
	// mistyped code do not hit the entity store every time.
	missTTL = 30
	// attemptsTTL is the window in which mistyped codes are counted per kiosk.
	attemptsTTL = 900
	// maxKioskAttempts locks a kiosk out after this many mistyped codes.
	maxKioskAttempts = 10
	cartTTL          = 2 * 60 * 60
	patientSession   = 8 * time.Hour
	hoursCacheTTL    = 300
	alertPageBudget  = 10
)

// Worker holds the bindings of one request.
type Worker struct {
	pickup *Store
	cache  *Store
	q      *db.Queries
	codes  *ent.Client
}

// NewWorker binds PICKUP_KV and EDGE_CACHE.
func NewWorker() (*Worker, error) {
	p, err := Bind("PICKUP_KV")
	if err != nil {
		return nil, err
	}
	c, err := Bind("EDGE_CACHE")
	if err != nil {
		return nil, err
	}
	return &Worker{pickup: p, cache: c, q: db.New(p), codes: ent.NewClient(p)}, nil
}

// Routes registers the Worker's handlers.
func Routes(mux *http.ServeMux) {
	h := func(fn func(*Worker, http.ResponseWriter, *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			wk, err := NewWorker()
			if err != nil {
				http.Error(w, "binding unavailable", http.StatusInternalServerError)
				return
			}
			fn(wk, w, r)
		}
	}
	mux.HandleFunc("GET /pickup/{store}/{code}", h((*Worker).lookup))
	mux.HandleFunc("POST /pickup/{store}/{code}/verify", h((*Worker).verify))
	mux.HandleFunc("GET /refills/{store}/{rx}", h((*Worker).refillStatus))
	mux.HandleFunc("GET /stores/{store}/hours", h((*Worker).hours))
	mux.HandleFunc("GET /stores/{store}/banner", h((*Worker).banner))
	mux.HandleFunc("GET /stores/{store}/notice", h((*Worker).notice))
	mux.HandleFunc("POST /stores/{store}/shelf", h((*Worker).assignShelf))
	mux.HandleFunc("POST /stores/{store}/log", h((*Worker).logPickup))
	mux.HandleFunc("POST /cart/{patient}", h((*Worker).addToCart))
	mux.HandleFunc("GET /oauth/callback", h((*Worker).oauthCallback))
	mux.HandleFunc("GET /stores/{store}/alerts", h((*Worker).alerts))
	mux.HandleFunc("GET /stores/{store}/alerts/full", h((*Worker).alertsFull))
	mux.HandleFunc("GET /stores/{store}/ready", h((*Worker).readyPage))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (wk *Worker) lookup(w http.ResponseWriter, r *http.Request) {
	store, code := r.PathValue("store"), r.PathValue("code")
	missKey := "miss:" + store + ":" + code
	miss, err := wk.cache.Raw().GetString(missKey, &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err == nil && miss == "1" {
		http.NotFound(w, r)
		return
	}
	pc, err := wk.codes.PickupCode.Get(r.Context(), store, code)
	if errors.Is(err, db.ErrNoRows) {
		_ = wk.cache.Raw().PutString(missKey, "1", &kv.PutOptions{ExpirationTTL: missTTL}) // EXPECT kvttl
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]any{"shelf": pc.Shelf, "items": len(pc.RxNumbers), "expires_at": pc.ExpiresAt})
}

// verify counts mistyped codes typed at a kiosk and locks it after too many.
func (wk *Worker) verify(w http.ResponseWriter, r *http.Request) {
	ns := wk.cache.Raw()
	kiosk := r.Header.Get("CF-Connecting-IP")
	key := "attempts:kiosk:" + kiosk
	n := 0
	if v, err := ns.GetString(key, nil); err == nil && v != nullValue {
		n, _ = strconv.Atoi(v)
	}
	if n >= maxKioskAttempts {
		http.Error(w, "kiosk locked", http.StatusTooManyRequests)
		return
	}
	_ = ns.PutString("edge:last_verify_at", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	_, err := wk.codes.PickupCode.Get(r.Context(), r.PathValue("store"), r.PathValue("code"))
	if errors.Is(err, db.ErrNoRows) {
		_ = ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: attemptsTTL}) // EXPECT kvcounter|kvrace
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (wk *Worker) refillStatus(w http.ResponseWriter, r *http.Request) {
	ref, err := wk.q.GetRefill(r.Context(), r.PathValue("store"), r.PathValue("rx"))
	if errors.Is(err, db.ErrNoRows) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]any{"status": ref.Status, "updated_at": ref.UpdatedAt})
}

type openingHours struct {
	Weekday  string `json:"weekday"`
	Saturday string `json:"saturday"`
	Sunday   string `json:"sunday"`
}

func (wk *Worker) hours(w http.ResponseWriter, r *http.Request) {
	v, err := wk.cache.Raw().GetString("hours:"+r.PathValue("store"), &kv.GetOptions{CacheTTL: hoursCacheTTL}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var h openingHours
	if err := json.Unmarshal([]byte(v), &h); err != nil {
		http.Error(w, "bad hours record", http.StatusInternalServerError)
		return
	}
	writeJSON(w, h)
}

const defaultBanner = "Refills are usually ready within 24 hours."

func (wk *Worker) banner(w http.ResponseWriter, r *http.Request) {
	v, err := wk.cache.Raw().GetString("banner:"+r.PathValue("store"), &kv.GetOptions{CacheTTL: 600})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		v = defaultBanner
	}
	writeJSON(w, map[string]string{"banner": v})
}

func (wk *Worker) notice(w http.ResponseWriter, r *http.Request) {
	v, _ := wk.cache.Raw().GetString("notice:"+r.PathValue("store"), nil)
	out := map[string]string{}
	if v != "" { // EXPECT kvnull
		out["notice"] = v
	}
	writeJSON(w, out)
}

// assignShelf records which hold shelf a bag was put on. The whole store's
// shelf map is one value so the kiosk can render it in one read.
func (wk *Worker) assignShelf(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code  string `json:"code"`
		Shelf string `json:"shelf"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ns := wk.pickup.Raw()
	key := "shelf:" + r.PathValue("store")
	shelves := map[string]string{}
	v, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if v != nullValue {
		_ = json.Unmarshal([]byte(v), &shelves)
	}
	shelves[body.Code] = body.Shelf
	data, _ := json.Marshal(shelves)
	if err := ns.PutString(key, string(data), nil); err != nil { // EXPECT kvrace
		http.Error(w, "not saved", http.StatusBadGateway)
		return
	}
	_ = ns.PutString("flash:"+r.PathValue("store"), "Bag "+body.Code+" shelved on "+body.Shelf, &kv.PutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	w.WriteHeader(http.StatusNoContent)
}

// logPickup appends a line to the store's pickup log for the day.
func (wk *Worker) logPickup(w http.ResponseWriter, r *http.Request) {
	line, _ := io.ReadAll(io.LimitReader(r.Body, 1024))
	ns := wk.pickup.Raw()
	key := "pickup_log:" + r.PathValue("store") + ":" + time.Now().UTC().Format("20060102")
	old, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if old == nullValue {
		old = ""
	}
	entry := time.Now().UTC().Format(time.TimeOnly) + " " + strings.TrimSpace(string(line))
	if err := ns.PutString(key, old+entry+"\n", &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}); err != nil { // EXPECT kvrace
		http.Error(w, "not saved", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// addToCart adds a prescription to the patient's refill cart.
func (wk *Worker) addToCart(w http.ResponseWriter, r *http.Request) {
	rx := r.URL.Query().Get("rx")
	if rx == "" {
		http.Error(w, "rx required", http.StatusBadRequest)
		return
	}
	ns := wk.cache.Raw()
	key := "cart:" + r.PathValue("patient")
	var cart []string
	if v, err := ns.GetString(key, nil); err == nil && v != nullValue {
		_ = json.Unmarshal([]byte(v), &cart)
	}
	cart = append(cart, rx)
	data, _ := json.Marshal(cart)
	if err := ns.PutString(key, string(data), &kv.PutOptions{ExpirationTTL: cartTTL}); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, "not saved", http.StatusBadGateway)
		return
	}
	writeJSON(w, cart)
}

// oauthCallback finishes the patient sign-in started by the app.
func (wk *Worker) oauthCallback(w http.ResponseWriter, r *http.Request) {
	ns := wk.cache.Raw()
	state := r.URL.Query().Get("state")
	stateKey := "oauth_state:" + state
	patient, err := ns.GetString(stateKey, nil)
	if err != nil || patient == nullValue || state == "" {
		http.Error(w, "invalid state", http.StatusBadRequest)
		return
	}
	if err := ns.Delete(stateKey); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	sid := rand.Text()
	sess, _ := json.Marshal(map[string]any{"patient": patient, "created": time.Now().Unix()})
	if err := ns.PutString("psession:"+sid, string(sess), &kv.PutOptions{
		ExpirationTTL: int(patientSession.Seconds()),
	}); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "psid", Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: int(patientSession.Seconds())})
	http.Redirect(w, r, cloudflare.Getenv("APP_HOME_URL"), http.StatusFound)
}

// alerts shows the drugs patients are waiting for at a store.
func (wk *Worker) alerts(w http.ResponseWriter, r *http.Request) {
	res, err := wk.pickup.Raw().List(&kv.ListOptions{Prefix: "alert:" + r.PathValue("store") + ":"}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	ndcs := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ndcs = append(ndcs, k.Name[strings.LastIndexByte(k.Name, ':')+1:])
	}
	writeJSON(w, map[string]any{"ndcs": ndcs, "total": len(ndcs)})
}

// alertsFull returns each waiting drug with its subscriber count.
func (wk *Worker) alertsFull(w http.ResponseWriter, r *http.Request) {
	ns := wk.pickup.Raw()
	opts := &kv.ListOptions{Prefix: "alert:" + r.PathValue("store") + ":", Limit: 1000}
	counts := map[string]int{}
	for page := 0; page < alertPageBudget; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			v, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == nullValue {
				continue
			}
			var a db.StockAlert
			if json.Unmarshal([]byte(v), &a) == nil {
				counts[a.NDC] = len(a.Subscribers)
			}
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, counts)
}

// readyPage returns one page of the bags waiting at a store; the kiosk
// passes the cursor back for the next page.
func (wk *Worker) readyPage(w http.ResponseWriter, r *http.Request) {
	keys, cursor, err := wk.pickup.List(r.Context(), "pickup:"+r.PathValue("store")+":", r.URL.Query().Get("cursor"), 50)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]any{"keys": keys, "cursor": cursor})
}
