// Package httpapi exposes the edge services over HTTP.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/edge/auth"
	"example.com/yarrow/internal/edge/cart"
	"example.com/yarrow/internal/edge/checkout"
	"example.com/yarrow/internal/edge/kds"
	"example.com/yarrow/internal/edge/menu"
	"example.com/yarrow/internal/edge/settings"
	"example.com/yarrow/internal/edge/tracking"
	"example.com/yarrow/internal/storage"
)

// LinkService issues and redeems login links.
type LinkService interface {
	Issue(ctx context.Context, email domain.Email) (string, error)
	Redeem(ctx context.Context, token string) (*domain.Session, error)
}

// Mailer sends login links.
type Mailer interface {
	SendLoginLink(ctx context.Context, to domain.Email, url string) error
}

// API holds the services the handlers call.
type API struct {
	menus    *menu.Service
	carts    *cart.Service
	checkout *checkout.Service
	sessions *auth.Sessions
	links    LinkService
	mailer   Mailer
	tracking *tracking.Service
	kitchen  *kds.Service
	settings *settings.Service
	limits   storage.Store
	perMin   int
}

// ProvideAPI is the constructor used by the wiring in cmd/edge.
func ProvideAPI(m *menu.Service, c *cart.Service, co *checkout.Service, s *auth.Sessions,
	l LinkService, mail Mailer, t *tracking.Service, k *kds.Service, set *settings.Service, limits storage.Store, perMinute int) *API {
	return &API{menus: m, carts: c, checkout: co, sessions: s, links: l, mailer: mail,
		tracking: t, kitchen: k, settings: set, limits: limits, perMin: perMinute}
}

// Routes returns the edge router.
func (a *API) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/menus/", a.menu)
	mux.HandleFunc("/login", a.login)
	mux.HandleFunc("/login/", a.login)
	mux.Handle("/carts/", RequireSession(a.sessions, http.HandlerFunc(a.cart)))
	mux.Handle("/orders/", RequireSession(a.sessions, http.HandlerFunc(a.orders)))
	mux.Handle("/logout", RequireSession(a.sessions, http.HandlerFunc(a.logout)))
	mux.HandleFunc("/kitchen/", a.kitchenBoard)
	return RateLimit(a.limits, a.perMin, mux)
}

// decode reads a JSON body and answers 400 when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(v); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}

// respond writes v (or just status when v is nil), or the error.
func respond(w http.ResponseWriter, status int, v any, err error) {
	switch {
	case err != nil:
		fail(w, err)
	case v == nil:
		w.WriteHeader(status)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, cart.ErrNoCart), errors.Is(err, tracking.ErrUnknownOrder):
		status = http.StatusNotFound
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusGatewayTimeout
	}
	http.Error(w, err.Error(), status)
}

// segments splits "/orders/r-bao/o_123" into ["r-bao", "o_123"].
func segments(r *http.Request, prefix string) []string {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, prefix), "/")
	if rest == "" {
		return nil
	}
	return strings.Split(rest, "/")
}

func (a *API) menu(w http.ResponseWriter, r *http.Request) {
	seg := segments(r, "/menus/")
	if r.Method != http.MethodGet || len(seg) != 1 {
		http.NotFound(w, r)
		return
	}
	rid, err := domain.ParseRestaurantID(seg[0])
	if err != nil {
		fail(w, err)
		return
	}
	m, err := a.menus.Menu(r.Context(), rid)
	if err == nil && a.menus.RecordView(r.Context(), rid) != nil {
		w.Header().Set("X-View-Count", "unavailable")
	}
	banner, _, _ := a.settings.Banner(r.Context(), string(rid))
	respond(w, http.StatusOK, map[string]any{"menu": m, "banner": banner, "notice": domain.AllergenNotice}, err)
}

// login serves POST /login (request a link) and GET /login/{token} (use it).
func (a *API) login(w http.ResponseWriter, r *http.Request) {
	seg := segments(r, "/login")
	switch {
	case r.Method == http.MethodPost && len(seg) == 0:
		var body struct {
			Email domain.Email `json:"email"`
		}
		if !decode(w, r, &body) {
			return
		}
		url, err := a.links.Issue(r.Context(), body.Email)
		if err == nil {
			err = a.mailer.SendLoginLink(r.Context(), body.Email, url)
		}
		respond(w, http.StatusAccepted, nil, err)
	case r.Method == http.MethodGet && len(seg) == 1:
		sess, err := a.links.Redeem(r.Context(), seg[0])
		if err != nil {
			http.Error(w, err.Error(), http.StatusGone)
			return
		}
		respond(w, http.StatusOK, map[string]string{"token": string(sess.ID)}, nil)
	default:
		http.NotFound(w, r)
	}
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	respond(w, http.StatusNoContent, nil, a.sessions.End(r.Context(), sess.ID))
}

func (a *API) cart(w http.ResponseWriter, r *http.Request) {
	sess, _ := SessionFrom(r.Context())
	seg := segments(r, "/carts/")
	switch {
	case r.Method == http.MethodPost && len(seg) == 0:
		c, err := a.carts.Open(r.Context(), sess.Customer)
		respond(w, http.StatusCreated, c, err)
	case r.Method == http.MethodPost && len(seg) == 2 && seg[1] == "lines":
		var line domain.CartLine
		if decode(w, r, &line) {
			c, err := a.carts.AddLine(r.Context(), domain.CartID(seg[0]), line)
			respond(w, http.StatusOK, c, err)
		}
	default:
		http.NotFound(w, r)
	}
}

// orders serves /orders/{restaurant}/{order} for customers and kitchens.
func (a *API) orders(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		a.getOrder(w, r)
	case http.MethodPost:
		a.placeOrder(w, r)
	case http.MethodPatch:
		a.advanceOrder(w, r)
	default:
		w.Header().Set("Allow", "GET, POST, PATCH")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	seg := segments(r, "/orders/")
	if len(seg) != 2 {
		http.NotFound(w, r)
		return
	}
	t, err := a.tracking.Timeline(r.Context(), domain.RestaurantID(seg[0]), domain.OrderID(seg[1]))
	respond(w, http.StatusOK, t, err)
}

func (a *API) placeOrder(w http.ResponseWriter, r *http.Request) {
	var req checkout.Request
	if !decode(w, r, &req) {
		return
	}
	if req.IdempotencyKey == "" {
		http.Error(w, "idempotency_key is required", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if c, err := a.carts.Get(ctx, req.Cart); err == nil {
		if rs := c.Restaurants(); len(rs) > 0 {
			req.PrepMinutes = a.settings.PrepMinutes(ctx, string(rs[0]))
		}
	}
	res, err := a.checkout.Place(ctx, req)
	respond(w, http.StatusCreated, res, err)
}

func (a *API) advanceOrder(w http.ResponseWriter, r *http.Request) {
	seg := segments(r, "/orders/")
	var body struct {
		Status domain.OrderStatus `json:"status"`
		Note   string             `json:"note"`
		ETA    *time.Time         `json:"eta,omitempty"`
	}
	if len(seg) != 2 || !decode(w, r, &body) {
		return
	}
	rid, oid := domain.RestaurantID(seg[0]), domain.OrderID(seg[1])
	var err error
	if body.Status != "" {
		err = a.tracking.Advance(r.Context(), rid, oid, body.Status, body.Note)
	}
	if err == nil && body.ETA != nil {
		err = a.tracking.SetETA(r.Context(), oid, *body.ETA)
	}
	respond(w, http.StatusNoContent, nil, err)
}

// kitchenBoard serves /kitchen/{restaurant}/{desk}.
func (a *API) kitchenBoard(w http.ResponseWriter, r *http.Request) {
	seg := segments(r, "/kitchen/")
	if len(seg) != 2 {
		http.NotFound(w, r)
		return
	}
	rid, err := domain.ParseRestaurantID(seg[0])
	desk, derr := domain.ParseDeskID(seg[1])
	if err != nil || derr != nil {
		http.Error(w, "unknown desk", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		b, err := a.kitchen.Board(r.Context(), rid, desk)
		respond(w, http.StatusOK, b, err)
	case http.MethodPost:
		var t domain.Ticket
		if decode(w, r, &t) {
			respond(w, http.StatusAccepted, nil, a.kitchen.Push(r.Context(), rid, desk, t))
		}
	case http.MethodPut:
		var b domain.Board
		if !decode(w, r, &b) {
			return
		}
		b.Restaurant, b.Desk = rid, desk
		err := a.kitchen.Replace(r.Context(), &b)
		if err == nil {
			err = a.kitchen.Sync(r.Context(), rid, b.Tickets)
		}
		respond(w, http.StatusNoContent, nil, err)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
