package reservations

import (
	"net/http"

	"example.com/juniper/internal/httpx"
)

// HoldRequest is POST /v1/venues/{venue}/holds; BookRequest is
// POST /v1/venues/{venue}/reservations.
type (
	HoldRequest struct {
		VenueID   string `json:"-"`
		Slot      string `json:"slot"`
		PartySize int    `json:"party"`
	}
	BookRequest struct {
		HoldRequest
		Name    string `json:"name"`
		Email   string `json:"email"`
		HoldKey string `json:"hold,omitempty"`
	}
	CancelRequest struct {
		ID string `json:"-"`
	}
	CancelResponse struct {
		ID        string `json:"id"`
		Cancelled bool   `json:"cancelled"`
	}
	AddToCartRequest struct {
		ReservationID string   `json:"-"`
		Item          CartItem `json:"item"`
	}
	JoinWaitlistRequest struct {
		VenueID   string `json:"-"`
		Name      string `json:"name"`
		Phone     string `json:"phone"`
		PartySize int    `json:"party"`
	}
	WaitlistPosition struct {
		Position      int `json:"position"`
		QuotedMinutes int `json:"quoted_minutes"`
	}
)

func (r *HoldRequest) BindPath(req *http.Request)         { r.VenueID = req.PathValue("venue") }
func (r *CancelRequest) BindPath(req *http.Request)       { r.ID = req.PathValue("id") }
func (r *AddToCartRequest) BindPath(req *http.Request)    { r.ReservationID = req.PathValue("id") }
func (r *JoinWaitlistRequest) BindPath(req *http.Request) { r.VenueID = req.PathValue("venue") }

// Routes registers the booking endpoints on mux.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.Handle("POST /v1/venues/{venue}/holds", httpx.Handle(s.PlaceHold))
	mux.Handle("POST /v1/venues/{venue}/reservations", httpx.Handle(s.Book))
	mux.Handle("DELETE /v1/reservations/{id}", httpx.Handle(s.Cancel))
	mux.Handle("POST /v1/reservations/{id}/cart", httpx.Handle(s.AddToCart))
	mux.Handle("POST /v1/venues/{venue}/waitlist", httpx.Handle(s.JoinWaitlist))
}
