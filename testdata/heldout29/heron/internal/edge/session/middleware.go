//go:build js && wasm

package session

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/httpx"
)

type ctxKey struct{}

// FromContext returns the session set by Middleware.
func FromContext(ctx context.Context) (domain.Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(domain.Session)
	return s, ok
}

// Middleware requires a valid session cookie and keeps the session alive
// while the member is active.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(Cookie)
		if err != nil {
			httpx.WriteError(w, httpx.Errorf(http.StatusUnauthorized, "sign in required"))
			return
		}
		raw, ok, err := s.sessions.Get(c.Value)
		if err != nil {
			httpx.WriteError(w, err)
			return
		}
		if !ok {
			httpx.WriteError(w, httpx.Errorf(http.StatusUnauthorized, "session expired"))
			return
		}
		var sess domain.Session
		if err := json.Unmarshal([]byte(raw), &sess); err != nil {
			httpx.WriteError(w, err)
			return
		}
		sess.LastSeen = s.now()
		b, _ := json.Marshal(sess)
		if err := s.sessions.Put(sess.ID, string(b), nil); err != nil { // EXPECT kvsession
			httpx.WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

// CartReq adds an item to the signed-in member's basket.
type CartReq struct {
	Item domain.CartItem `json:"item"`
}

// AddToCart appends an item to the basket.
func (s *Service) AddToCart(ctx context.Context, req CartReq) (domain.Cart, error) {
	sess, ok := FromContext(ctx)
	if !ok {
		return domain.Cart{}, httpx.Errorf(http.StatusUnauthorized, "sign in required")
	}
	raw, found, err := s.carts.Get(ctx, sess.MemberID)
	if err != nil {
		return domain.Cart{}, err
	}
	cart := domain.Cart{MemberID: sess.MemberID}
	if found {
		if err := json.Unmarshal([]byte(raw), &cart); err != nil {
			return domain.Cart{}, err
		}
	}
	cart.Items = append(cart.Items, req.Item)
	cart.UpdatedAt = s.now()
	b, err := json.Marshal(cart)
	if err != nil {
		return domain.Cart{}, err
	}
	if err := s.carts.Put(ctx, sess.MemberID, string(b), 7*24*time.Hour); err != nil { // EXPECT kvsession
		return domain.Cart{}, err
	}
	return cart, nil
}
