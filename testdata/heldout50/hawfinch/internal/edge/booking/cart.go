//go:build js && wasm

package booking

import (
	"encoding/json"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
	"hawfinch/internal/events"
	"hawfinch/internal/kind"
)

// CartItem is one slot the student intends to book.
type CartItem struct {
	TutorID string `json:"tutor_id"`
	SlotID  string `json:"slot_id"`
	Subject string `json:"subject"`
}

// Cart is a student's pending selection of lessons.
type Cart struct {
	StudentID string     `json:"student_id"`
	Items     []CartItem `json:"items"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func (c Cart) Key() string        { return "current" }
func (c Cart) TTL() time.Duration { return kind.Cart.TTL() }

// Quote is the price the origin promised for a cart, valid for a while.
type Quote struct {
	ID         string    `json:"id"`
	TotalCents int64     `json:"total_cents"`
	ValidUntil time.Time `json:"valid_until"`
}

type booking struct {
	ID      string    `json:"id"`
	TutorID string    `json:"tutor_id"`
	SlotID  string    `json:"slot_id"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	JoinURL string    `json:"join_url"`
}

func (s *Service) carts(studentID string) edgekv.Scope {
	return s.root.Scope("student", studentID).Kind(kind.Cart)
}

func (s *Service) addToCart(w http.ResponseWriter, r *http.Request) {
	sess, err := s.auth.Current(r)
	if err != nil {
		web.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	var item CartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil {
		web.Error(w, http.StatusBadRequest, "bad item")
		return
	}
	carts := s.carts(sess.UserID)
	cart := Cart{StudentID: sess.UserID}
	if _, err := edgekv.Load(carts, "current", &cart); err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	cart.Items = append(cart.Items, item)
	cart.UpdatedAt = time.Now().UTC()
	if err := edgekv.Save(carts, cart); err != nil { // EXPECT kvsession|kvrace
		web.Error(w, http.StatusBadGateway, "cart not saved")
		return
	}
	web.JSON(w, http.StatusOK, cart)
}

func (s *Service) checkout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.auth.Current(r)
	if err != nil {
		web.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	carts := s.carts(sess.UserID)
	var cart Cart
	found, err := edgekv.Load(carts, "current", &cart)
	if err != nil || !found || len(cart.Items) == 0 {
		web.Error(w, http.StatusBadRequest, "cart is empty")
		return
	}
	var quote Quote
	if err := s.origin.PostJSON(r.Context(), "/v1/quotes", cart, &quote); err != nil {
		web.Error(w, http.StatusBadGateway, "could not price cart")
		return
	}
	quotes := s.root.Scope("student", sess.UserID).Scope("quotes")
	qb, _ := json.Marshal(quote)
	err = quotes.Namespace().PutString(quotes.Key(quote.ID), string(qb), &kv.PutOptions{
		Expiration: int(quote.ValidUntil.UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		log.Printf("booking: keep quote: %v", err)
	}
	var booked []booking
	if err := s.origin.PostJSON(r.Context(), "/v1/bookings", map[string]any{"quote_id": quote.ID, "student_id": sess.UserID}, &booked); err != nil {
		web.Error(w, http.StatusPaymentRequired, "payment failed")
		return
	}
	joins := s.root.Scope("student", sess.UserID).Scope("join")
	for _, b := range booked {
		err := joins.Namespace().PutString(joins.Key(b.ID), b.JoinURL, &kv.PutOptions{
			Expiration: int(b.End.Add(30 * time.Minute).Unix()),
		})
		if err != nil {
			log.Printf("booking: join link %s: %v", b.ID, err)
		}
		s.pub.Publish(r.Context(), events.BookingConfirmed{
			BookingID: b.ID, TutorID: b.TutorID, StudentID: sess.UserID,
			SlotID: b.SlotID, Start: b.Start, At: time.Now().UTC(),
		})
	}
	if err := carts.Delete("current"); err != nil { // DEBATABLE kvsession
		log.Printf("booking: clear cart: %v", err)
	}
	web.JSON(w, http.StatusCreated, booked)
}
