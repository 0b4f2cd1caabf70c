// Package httpapi is the public HTTP API. Routing is done by hand on the
// request path; the catalog and order handlers are built from endpoints.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/orchard/internal/auth"
	"example.com/orchard/internal/billing"
	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/endpoint"
	"example.com/orchard/internal/growers"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
	"example.com/orchard/internal/orders"
	"example.com/orchard/internal/ratelimit"
	"example.com/orchard/internal/session"
	"example.com/orchard/internal/stats"
)

// PasswordChecker verifies credentials against the account database.
type PasswordChecker interface {
	Check(ctx context.Context, email, password string) (ids.AccountID, error)
}

type Deps struct {
	Catalog   *catalog.Service
	Orders    *orders.Service
	Sessions  *session.Manager
	Auth      *auth.Service
	Limiter   *ratelimit.Limiter
	Views     *stats.Views
	Board     *stats.Board
	Growers   *growers.Directory
	Billing   *billing.Billing
	Passwords PasswordChecker
	Ops       kvstore.Store
}

type API struct {
	d                                         Deps
	product, placeOrder, orderState, getOrder http.Handler
}

func New(d Deps) *API {
	getProduct := func(ctx context.Context, req any) (any, error) { return d.Catalog.Get(ctx, req.(ids.SKU)) }
	return &API{
		d:          d,
		product:    endpoint.NewServer(getProduct, decodeSKU, endpoint.EncodeJSON),
		placeOrder: endpoint.NewServer(orders.MakePlaceEndpoint(d.Orders), decodePlace, endpoint.EncodeJSON),
		orderState: endpoint.NewServer(orders.MakeStatusEndpoint(d.Orders), decodeStatus, endpoint.EncodeJSON),
		getOrder:   endpoint.NewServer(orders.MakeGetEndpoint(d.Orders), decodeOrderID, endpoint.EncodeJSON),
	}
}

func decodeSKU(_ context.Context, r *http.Request) (any, error) {
	sku, _ := strings.CutPrefix(r.URL.Path, "/products/")
	if sku == "" || strings.Contains(sku, "/") {
		return nil, errors.New("bad sku")
	}
	return ids.SKU(sku), nil
}

type accountKey struct{}

// decodePlace takes the order from the body and the account from the
// session, never from the body.
func decodePlace(ctx context.Context, r *http.Request) (any, error) {
	req, err := endpoint.DecodeJSON[orders.PlaceRequest]()(ctx, r)
	if err != nil {
		return nil, err
	}
	p := req.(orders.PlaceRequest)
	p.Account, _ = ctx.Value(accountKey{}).(ids.AccountID)
	return p, nil
}

func decodeOrderID(_ context.Context, r *http.Request) (any, error) {
	id, err := ids.ParseOrderID(strings.TrimPrefix(r.URL.Path, "/orders/"))
	return orders.GetRequest{ID: id}, err
}

func decodeStatus(_ context.Context, r *http.Request) (any, error) {
	id, err := ids.ParseOrderID(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/orders/"), "/status"))
	if err != nil {
		return nil, err
	}
	req := orders.StatusRequest{ID: id}
	return req, json.NewDecoder(r.Body).Decode(&req)
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch path {
	case "/healthz":
		w.WriteHeader(http.StatusNoContent)
		return
	case "/heartbeat":
		a.heartbeat(w, r)
		return
	case "/login":
		a.login(w, r)
		return
	case "/logout":
		a.logout(w, r)
		return
	case "/webhooks/billing":
		a.d.Billing.HandleWebhook(w, r)
		return
	}
	if sku, ok := strings.CutPrefix(path, "/products/"); ok {
		if rest, ok := strings.CutSuffix(sku, "/views"); ok && r.Method == http.MethodPost {
			if err := a.d.Views.Record(r.Context(), ids.SKU(rest)); err != nil {
				slog.WarnContext(r.Context(), "record view", "sku", rest, "err", err)
			}
			w.WriteHeader(http.StatusAccepted)
			return
		}
		a.product.ServeHTTP(w, r)
		return
	}

	s, err := a.authenticate(r)
	if err == nil {
		err = a.d.Limiter.Take(r.Context(), s.Account)
	}
	if err != nil {
		writeErr(w, r, err)
		return
	}
	switch {
	case path == "/orders":
		ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
		defer cancel()
		a.placeOrder.ServeHTTP(w, r.WithContext(context.WithValue(ctx, accountKey{}, s.Account)))
	case strings.HasPrefix(path, "/orders/") && strings.HasSuffix(path, "/status"):
		a.orderState.ServeHTTP(w, r)
	case strings.HasPrefix(path, "/orders/"):
		a.getOrder.ServeHTTP(w, r)
	case path == "/cart/items":
		a.addToCart(w, r, s)
	case path == "/scores":
		a.submitScore(w, r)
	default:
		if handle, ok := strings.CutPrefix(path, "/handles/"); ok {
			a.claimHandle(w, r, handle)
			return
		}
		http.NotFound(w, r)
	}
}

func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, session.ErrNoSession) {
		http.Error(w, "sign in required", http.StatusUnauthorized)
		return
	}
	endpoint.DefaultErrorEncoder(r.Context(), err, w)
}

func (a *API) authenticate(r *http.Request) (*session.Session, error) {
	c, err := r.Cookie("orchard_session")
	if err != nil {
		return nil, session.ErrNoSession
	}
	s, err := a.d.Sessions.Lookup(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	if err := a.d.Sessions.Touch(r.Context(), s); err != nil {
		slog.WarnContext(r.Context(), "session touch", "err", err)
	}
	return s, nil
}

// heartbeat is called by the farm gate terminals every few seconds.
func (a *API) heartbeat(w http.ResponseWriter, r *http.Request) {
	terminal := r.Header.Get("X-Terminal")
	if terminal == "" {
		http.Error(w, "missing terminal", http.StatusBadRequest)
		return
	}
	v, _ := json.Marshal(map[string]any{"terminal": terminal, "at": time.Now().Unix()})
	if err := a.d.Ops.Put(r.Context(), "fleet/last-heartbeat", v, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
		writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
