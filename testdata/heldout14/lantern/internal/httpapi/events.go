package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/events"
	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/rsvp"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/tickets"
)

var errQuota = errors.New("daily RSVP quota reached for this plan")

// listEvents returns one page of event IDs; the dashboard passes ?cursor=
// back for more.
func (h *Handlers) listEvents(w http.ResponseWriter, r *http.Request) {
	st := h.scoped(r)
	page, err := st.List(r.Context(), keys.EventPrefix, r.URL.Query().Get("cursor"), 2000) // EXPECT kvlimits
	if err != nil {
		writeError(w, err)
		return
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, strings.TrimPrefix(k, keys.EventPrefix))
	}
	writeJSON(w, http.StatusOK, map[string]any{"ids": ids, "cursor": page.Cursor, "done": page.Complete})
}

// chargeQuota counts one RSVP against the tenant's daily plan quota.
func (h *Handlers) chargeQuota(r *http.Request, plan config.Plan) error {
	ctx := r.Context()
	st := h.scoped(r)
	key := strings.Join([]string{"quota", "rsvp", keys.Day(h.Clock())}, ":")
	used := 0
	b, err := st.Get(ctx, key)
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return err
	default:
		used, _ = strconv.Atoi(string(b))
	}
	if used >= h.Config.Quota(plan).RSVPsPerDay {
		return errQuota
	}
	return st.Put(ctx, key, []byte(strconv.Itoa(used+1)), store.PutOptions{TTL: 48 * time.Hour}) // EXPECT kvcounter
}

func (h *Handlers) attend(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s := sessionFrom(ctx)
	st := h.scoped(r)
	out, err := h.eventService(st).Handle(ctx, events.GetEventQuery{ID: r.PathValue("id")})
	if err != nil {
		writeError(w, err)
		return
	}
	ev := out.(events.Event)
	if err := h.chargeQuota(r, config.ParsePlan(s.Plan)); err != nil {
		writeError(w, err)
		return
	}
	var in struct {
		Name   string `json:"name"`
		Guests int    `json:"guests"`
	}
	_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in)
	res, err := h.rsvpService(st).Dispatch(ctx, rsvp.Attend{
		EventID:  ev.ID,
		UserID:   s.UserID,
		Name:     in.Name,
		Guests:   min(max(in.Guests, 0), 4),
		Capacity: ev.Capacity,
		StartsAt: ev.StartsAt,
	})
	if errors.Is(err, rsvp.ErrFull) {
		n, werr := h.rsvpService(st).Dispatch(ctx, rsvp.JoinWaitlist{EventID: ev.ID, UserID: s.UserID})
		if werr != nil {
			writeError(w, werr)
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"waitlist_position": n})
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (h *Handlers) attendeesCSV(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="attendees.csv"`)
	if err := h.exporter(h.scoped(r)).AttendeesCSV(r.Context(), w, r.PathValue("id")); err != nil {
		writeError(w, err)
	}
}

// buyTicket is idempotent per Idempotency-Key: a retried request gets the
// stored response of the first one instead of a second charge.
func (h *Handlers) buyTicket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s := sessionFrom(ctx)
	idem := r.Header.Get("Idempotency-Key")
	if idem == "" || len(idem) > 64 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Idempotency-Key header required"})
		return
	}
	idemKey := "idem:" + s.UserID + ":" + idem
	if prev, err := h.Idempotent.Get(ctx, idemKey); err == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		_, _ = w.Write(prev)
		return
	} else if !store.IsNotFound(err) {
		writeError(w, err)
		return
	}
	var in struct {
		TierID string `json:"tier"`
		Price  int    `json:"price_cents"`
		Coupon string `json:"coupon"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	st := h.scoped(r)
	p := &tickets.Purchase{
		Store:   st,
		Coupons: &tickets.CouponBook{Store: st, Clock: h.Clock},
		NewID:   h.NewID,
		Clock:   h.Clock,
	}
	t, err := p.Execute(ctx, tickets.PurchaseCmd{
		EventID:    r.PathValue("id"),
		UserID:     s.UserID,
		TierID:     in.TierID,
		PriceCents: in.Price,
		CouponCode: in.Coupon,
		Plan:       config.ParsePlan(s.Plan),
	})
	if err != nil {
		writeError(w, err)
		return
	}
	body, _ := json.Marshal(t)
	if err := h.Idempotent.Put(ctx, idemKey, body, store.PutOptions{TTL: 24 * time.Hour}); err != nil { // DEBATABLE kvrace
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(body)
}
