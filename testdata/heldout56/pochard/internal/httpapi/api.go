// Package httpapi is the partner- and guest-facing HTTP surface of the
// channel manager.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"pochard/internal/bookings"
	"pochard/internal/guest"
	"pochard/internal/inventory"
	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/partners"
)

// Counters is the KV surface used for request bookkeeping.
type Counters interface {
	Lookup(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, o kv.PutOptions) error
}

// API holds the services behind the HTTP routes.
type API struct {
	Partners *partners.Service
	Holds    *inventory.Service
	Bookings *bookings.Service
	Sessions *guest.Sessions
	Counters Counters
	PerIP    int
}

// Handler returns the root handler.
func (a *API) Handler() http.Handler { return a.routes() }

func (a *API) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/v1/partners/claim", limitByIP{next: claimHandler{svc: a.Partners}, counters: a.Counters, perMinute: a.PerIP})
	mux.Handle("/v1/holds", holdHandler{svc: a.Holds})
	mux.Handle("/v1/holds/extend", extendHandler{svc: a.Holds})
	mux.Handle("/v1/codes/redeem", redeemHandler{svc: a.Bookings})
	mux.Handle("/portal/logout", logoutHandler{sessions: a.Sessions})
	mux.Handle("/portal/oauth/callback", oauthCallback{sessions: a.Sessions})
	mux.Handle("/ota/webhook", webhookReceiver{counters: a.Counters})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// claimRequest is the wire form of a slug claim.
type claimRequest struct {
	Partner string `json:"partner_id"`
	Slug    string `json:"slug"`
	Display string `json:"display_name"`
	Quota   *int   `json:"daily_quota,omitempty"`
}

type claimHandler struct{ svc *partners.Service }

func (h claimHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req claimRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	p, err := h.svc.ClaimSlug(r.Context(), partners.ClaimCommand{
		PartnerID: req.Partner,
		Slug:      req.Slug,
		Name:      req.Display,
		Quota:     req.Quota,
	})
	if errors.Is(err, partners.ErrSlugTaken) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

// holdRequest is the wire form of a hold.
type holdRequest struct {
	Hotel    string `json:"hotel"`
	Room     string `json:"room_type"`
	Night    string `json:"night"`
	Count    int    `json:"rooms"`
	HoldSecs int    `json:"hold_seconds,omitempty"`
}

type holdHandler struct{ svc *inventory.Service }

func (h holdHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req holdRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	cmd := inventory.PlaceCommand{HotelID: req.Hotel, RoomType: req.Room, Night: req.Night, Rooms: req.Count}
	if req.HoldSecs > 0 {
		cmd.TTL = opt.Ptr(time.Duration(req.HoldSecs) * time.Second)
	}
	hold, err := h.svc.Place(r.Context(), cmd)
	if errors.Is(err, inventory.ErrSoldOut) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusCreated, hold)
}

type extendHandler struct{ svc *inventory.Service }

func (h extendHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		HoldID string    `json:"hold_id"`
		Until  time.Time `json:"until"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	hold, found, err := h.svc.Hold(r.Context(), req.HoldID)
	if err != nil || !found {
		http.Error(w, "unknown hold", http.StatusNotFound)
		return
	}
	if err := h.svc.Extend(r.Context(), hold, req.Until); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type redeemHandler struct{ svc *bookings.Service }

func (h redeemHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bookingID, err := h.svc.Redeem(r.Context(), r.FormValue("code"))
	if errors.Is(err, bookings.ErrNoBooking) {
		http.Error(w, "unknown code", http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"booking_id": bookingID})
}

type logoutHandler struct{ sessions *guest.Sessions }

func (h logoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("pochard_sess")
	if err != nil {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return
	}
	sess, err := h.sessions.Resolve(r.Context(), c.Value)
	if err == nil {
		_ = h.sessions.Logout(r.Context(), sess.GuestID, sess.ID)
	}
	http.SetCookie(w, &http.Cookie{Name: "pochard_sess", MaxAge: -1, Path: "/"})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

type oauthCallback struct{ sessions *guest.Sessions }

func (h oauthCallback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	returnTo, err := h.sessions.CompleteOAuth(r.Context(), r.URL.Query().Get("state"))
	if err != nil {
		http.Error(w, "sign-in expired, please try again", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, returnTo, http.StatusFound)
}

type webhookReceiver struct{ counters Counters }

func (h webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev struct {
		Channel string `json:"channel"`
		Type    string `json:"type"`
	}
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	_ = h.counters.Put(r.Context(), "ota:webhook:last-received", stamp, kv.PutOptions{}) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)
}

type limitByIP struct {
	next      http.Handler
	counters  Counters
	perMinute int
}

func (l limitByIP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	key := "ratelimit:" + ip + ":" + time.Now().UTC().Format("200601021504")
	raw, found, err := l.counters.Lookup(r.Context(), key)
	if err != nil {
		l.next.ServeHTTP(w, r)
		return
	}
	hits := 0
	if found {
		hits, _ = strconv.Atoi(string(raw))
	}
	if hits >= l.perMinute {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	_ = l.counters.Put(r.Context(), key, []byte(strconv.Itoa(hits+1)), kv.PutOptions{TTL: opt.Ptr(2 * time.Minute)}) // EXPECT kvcounter|kvrace
	l.next.ServeHTTP(w, r)
}
