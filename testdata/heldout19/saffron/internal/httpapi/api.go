// Package httpapi exposes the reservation, waitlist, loyalty, gift-card and
// review services over HTTP.
package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/giftcard"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/loyalty"
	"example.com/saffron/internal/reservation"
	"example.com/saffron/internal/reviews"
	"example.com/saffron/internal/store"
	"example.com/saffron/internal/waitlist"
)

var now = time.Now

// Limiter throttles anonymous submissions.
type Limiter interface {
	Allow(ctx context.Context, ip string) (bool, error)
}

// API holds the application services. Command and query services are kept
// apart; each gets only the half of the store it needs.
type API struct {
	Holds    *reservation.Commands
	Waitlist *waitlist.Service
	Loyalty  *loyalty.Service
	Gifts    *giftcard.Service
	Reviews  *reviews.Commands
	Feedback *reviews.Queries
	Limiter  Limiter
	Sessions store.ReadWriter
	Stamps   store.Writer
	Config   func() *config.Config
}

// Register mounts the routes.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /reservations/holds", a.placeHold)
	mux.HandleFunc("POST /restaurants/{rid}/waitlist", a.joinWaitlist)
	mux.HandleFunc("POST /restaurants/{rid}/waitlist/{party}/seat", a.staff(a.seatParty))
	mux.HandleFunc("POST /loyalty/{member}/earn", a.staff(a.earn))
	mux.HandleFunc("POST /giftcards/{code}/redeem", a.staff(a.redeem))
	mux.HandleFunc("POST /restaurants/{rid}/reviews", a.submitReview)
	mux.HandleFunc("GET /restaurants/{rid}/reviews/pending", a.staff(a.pendingReviews))
	mux.HandleFunc("POST /restaurants/{rid}/reviews/{id}/flag", a.flagReview)
}

func (a *API) placeHold(w http.ResponseWriter, r *http.Request) {
	req, ok := decode[reservation.HoldRequest](w, r)
	if !ok {
		return
	}
	h, err := a.Holds.PlaceHold(r.Context(), req)
	if err != nil {
		fail(w, err)
		return
	}
	stamp := []byte(strconv.FormatInt(now().Unix(), 10))
	if err := a.Stamps.Put(r.Context(), "reservations:last-updated", stamp, 0); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	reply(w, http.StatusCreated, h)
}

func (a *API) joinWaitlist(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Size  int    `json:"size"`
	}](w, r)
	if !ok {
		return
	}
	id, pos, err := a.Waitlist.Join(r.Context(), r.PathValue("rid"), in.Name, in.Phone, in.Size)
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, http.StatusCreated, map[string]any{"party": id, "position": pos})
}

func (a *API) seatParty(w http.ResponseWriter, r *http.Request, _ staffSession) {
	if err := a.Waitlist.Seat(r.Context(), r.PathValue("rid"), r.PathValue("party")); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) earn(w http.ResponseWriter, r *http.Request, _ staffSession) {
	in, ok := decode[struct {
		BillCents int64 `json:"bill_cents"`
	}](w, r)
	if !ok {
		return
	}
	view, err := a.Loyalty.Earn(r.Context(), keys.Member(r.PathValue("member")), in.BillCents)
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, http.StatusOK, view)
}

func (a *API) redeem(w http.ResponseWriter, r *http.Request, s staffSession) {
	in, ok := decode[struct {
		Order string `json:"order"`
	}](w, r)
	if !ok {
		return
	}
	red, err := a.Gifts.Redeem(r.Context(), r.PathValue("code"), in.Order, s.Restaurant, clientIP(r))
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, http.StatusOK, red)
}

func (a *API) submitReview(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[struct {
		Author string `json:"author"`
		Rating int    `json:"rating"`
		Body   string `json:"body"`
	}](w, r)
	if !ok {
		return
	}
	if allowed, err := a.Limiter.Allow(r.Context(), clientIP(r)); err != nil || !allowed {
		http.Error(w, "please wait before posting another review", http.StatusTooManyRequests)
		return
	}
	rv, err := a.Reviews.Submit(r.Context(), r.PathValue("rid"), in.Author, in.Body, in.Rating)
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, http.StatusAccepted, map[string]string{"id": rv.ID, "status": rv.Status})
}

func (a *API) pendingReviews(w http.ResponseWriter, r *http.Request, _ staffSession) {
	list, next, err := a.Feedback.PendingQueue(r.Context(), r.PathValue("rid"), r.URL.Query().Get("cursor"))
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, http.StatusOK, map[string]any{"reviews": list, "cursor": next})
}

func (a *API) flagReview(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[struct {
		Reason string `json:"reason"`
	}](w, r)
	if !ok || in.Reason == "" {
		return
	}
	if err := a.Reviews.Flag(r.Context(), r.PathValue("rid"), r.PathValue("id"), in.Reason); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
