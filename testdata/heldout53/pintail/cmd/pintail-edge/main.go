//go:build js && wasm

// Command pintail-edge is the Worker in front of the Pintail apps: menus,
// baskets, courier sign-in and order tracking.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pintail-eats/pintail/internal/edge/auth"
	"github.com/pintail-eats/pintail/internal/edge/cart"
	"github.com/pintail-eats/pintail/internal/edge/kvx"
	"github.com/pintail-eats/pintail/internal/edge/menus"
	"github.com/pintail-eats/pintail/internal/edge/tracking"
	"github.com/syumai/workers"
)

type bindings struct {
	menus    *kvx.Namespace
	state    *kvx.Namespace
	sessions *kvx.Namespace
	codes    *kvx.Namespace
}

type services struct {
	menu  *menus.Service
	cart  *cart.Store
	auth  *auth.Service
	track *tracking.Service
}

type edgeEnv struct {
	bindings
	services
	origin string
}

type handler struct {
	env *edgeEnv
}

func open(name string) *kvx.Namespace {
	ns, err := kvx.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	return ns
}

func main() {
	env := &edgeEnv{origin: "https://origin.pintail.example"}
	env.bindings = bindings{
		menus:    open("MENUS"),
		state:    open("STATE"),
		sessions: open("SESSIONS"),
		codes:    open("CODES"),
	}
	env.services = services{
		menu:  menus.New(env.menus, env.origin),
		cart:  cart.NewStore(env.state, 48*time.Hour),
		auth:  auth.New(env.sessions, env.codes, sendSMS),
		track: tracking.New(env.state),
	}
	h := &handler{env: env}

	mux := http.NewServeMux()
	mux.HandleFunc("/menus/", h.menu)
	mux.HandleFunc("/cart/", h.cart)
	mux.HandleFunc("/login", h.login)
	mux.HandleFunc("/logout", h.logout)
	mux.HandleFunc("/orders", h.submitOrder)
	mux.HandleFunc("/track/", h.trackOrder)
	mux.HandleFunc("/notes/", h.note)
	workers.Serve(h.recovering(mux))
}

func sendSMS(ctx context.Context, phone, code string) error {
	body := strings.NewReader(`{"to":"` + phone + `","template":"login","code":"` + code + `"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://sms.pintail.example/send", body)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}

// recovering turns a kvx.Panic raised by a must-style helper into a 503.
func (h *handler) recovering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if p, ok := kvx.As[kvx.Panic](rec); ok {
				log.Printf("kv failure: %v", p)
				http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
				return
			}
			panic(rec)
		}()
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// menu serves GET /menus/{restaurant}. The caching layer of the mobile app
// may ask for a shorter or longer cache lifetime with ?ttl=seconds.
func (h *handler) menu(w http.ResponseWriter, r *http.Request) {
	rid := strings.TrimPrefix(r.URL.Path, "/menus/")
	if rid == "" {
		http.NotFound(w, r)
		return
	}
	secs, _ := strconv.Atoi(r.URL.Query().Get("ttl"))
	secs = min(max(cmp.Or(secs, 900), 60), 86400)
	m, err := h.env.menu.Get(r.Context(), rid, time.Duration(secs)*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	note, err := h.env.menus.Raw().GetString("kitchen-note:"+rid, nil)
	if err == nil && note != "" { // EXPECT kvnull
		w.Header().Set("X-Kitchen-Note", note)
	}
	writeJSON(w, m)
}

// cart serves /cart/{customer}: GET returns it, POST adds a line, PUT
// replaces it.
func (h *handler) cart(w http.ResponseWriter, r *http.Request) {
	sess, err := h.env.auth.Authenticate(r)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	customerID := strings.TrimPrefix(r.URL.Path, "/cart/")
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		c, err := h.env.cart.Get(ctx, customerID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, c)
	case http.MethodPost:
		var in struct {
			RestaurantID string    `json:"restaurant_id"`
			Line         cart.Line `json:"line"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c, err := h.env.cart.Add(ctx, customerID, in.RestaurantID, in.Line)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, c)
	case http.MethodPut:
		var c cart.Cart
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.CustomerID = customerID
		if err := h.env.cart.Replace(ctx, c); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		_ = sess
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// login serves POST /login: {"phone"} sends a code, {"phone","code"}
// finishes sign-in.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Phone     string `json:"phone"`
		CourierID string `json:"courier_id"`
		Code      string `json:"code"`
		Remember  bool   `json:"remember"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Phone == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if in.Code == "" {
		if err := h.env.auth.StartLogin(r.Context(), in.Phone); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	f := auth.Sliding
	if in.Remember {
		f |= auth.Remember
	}
	sess, err := h.env.auth.FinishLogin(r.Context(), in.Phone, in.CourierID, in.Code, f)
	if errors.Is(err, auth.ErrBadCode) {
		http.Error(w, "code does not match", http.StatusUnauthorized)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]string{"token": sess.ID})
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := h.env.auth.Authenticate(r)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := h.env.auth.Logout(r.Context(), sess.ID); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	remaining := time.Until(sess.SeenAt.Add(sess.Lifetime()))
	if err := h.env.auth.RevokeToken(sess.TokenID, remaining); err != nil {
		log.Printf("revoke %s: %v", sess.TokenID, err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// submitOrder forwards an order to the origin after the abuse guard.
func (h *handler) submitOrder(w http.ResponseWriter, r *http.Request) {
	ip := cmp.Or(r.Header.Get("CF-Connecting-IP"), r.RemoteAddr)
	if err := h.env.track.GuardSubmit(ip, 5); errors.Is(err, tracking.ErrTooMany) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, h.env.origin+"/v2/orders", r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := h.env.state.Raw().PutString("orders:last-submitted", stamp, nil); err != nil { // EXPECT kvhotkey
		log.Printf("stamp: %v", err)
	}
	w.WriteHeader(res.StatusCode)
}

// trackOrder serves GET /track/{order}.
func (h *handler) trackOrder(w http.ResponseWriter, r *http.Request) {
	orderID := strings.TrimPrefix(r.URL.Path, "/track/")
	e, err := tracking.ETAKey(h.env.state, orderID).Load(r.Context())
	if errors.Is(err, kvx.ErrMiss) {
		mins, err := h.env.track.Minutes(orderID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		writeJSON(w, map[string]int{"minutes": mins})
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	lastSeen := kvx.MustGet(h.env.state, "courier-seen:"+e.CourierID)
	writeJSON(w, map[string]any{"eta": e, "courier_seen": lastSeen})
}

// note serves POST /notes/{order} from the courier app.
func (h *handler) note(w http.ResponseWriter, r *http.Request) {
	sess, err := h.env.auth.Authenticate(r)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	orderID := strings.TrimPrefix(r.URL.Path, "/notes/")
	var in struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Text == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	notes := h.env.track.AddNote(orderID, in.Text)
	kvx.MustPut(h.env.state, "courier-seen:"+sess.CourierID, time.Now().UTC().Format(time.RFC3339), 3600)
	_ = h.env.state.PutValue("courier-last-note:"+sess.CourierID, orderID, time.Hour)
	writeJSON(w, map[string]string{"notes": notes})
}
