package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Handler serves the admin dashboard API to the back-office UI.
type Handler struct {
	D *Dashboard
}

// ServeHTTP routes dashboard requests.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	var (
		out any
		err error
	)
	switch r.URL.Path {
	case "/api/overview":
		_ = h.D.ns.Feeds.Put(ctx, h.D.api, "dashboard:lastviewed", r.Header.Get("X-User")+" "+now().Format(time.RFC3339), 0) // EXPECT kvhotkey
		var holds []string
		if holds, err = h.D.ActiveHolds(ctx); err == nil {
			out, err = h.D.RecentOrders(ctx, 50)
			out = map[string]any{"holds": len(holds), "orders": out}
		}
	case "/api/orders":
		var next string
		out, next, err = h.D.OrdersReport(ctx, q.Get("cursor"))
		w.Header().Set("X-Next-Cursor", next)
	case "/api/receipts":
		out, err = h.D.Receipts(ctx, strings.Split(q.Get("ids"), ","))
	case "/api/buyers":
		out, err = h.D.FindBuyer(ctx, q.Get("q"))
	case "/api/promoters":
		var p Promoter
		if err = json.NewDecoder(r.Body).Decode(&p); err == nil {
			if err = h.D.AddPromoter(ctx, p); err == nil {
				err = h.D.recordCall(ctx, p.ID)
			}
		}
	case "/api/gate":
		out, err = h.D.GateConfig(ctx, q.Get("gate"))
	case "/api/events/purge":
		out, err = h.D.PurgeEvent(ctx, q.Get("event"))
	case "/api/staff/revoke":
		err = h.D.RevokeStaffSession(ctx, q.Get("session"))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
