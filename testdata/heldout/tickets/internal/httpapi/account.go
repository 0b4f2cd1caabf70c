package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/tickets/internal/domain"
)

// ---- sign-in ----

func (s *Server) requestLink(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    string `json:"email"`
		Redirect string `json:"redirect"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !strings.Contains(body.Email, "@") {
		http.Error(w, "valid email required", http.StatusBadRequest)
		return
	}
	if err := s.Auth.CheckLockout(r.Context(), body.Email); err != nil {
		s.fail(w, r, err)
		return
	}
	tok, err := s.Auth.IssueMagicLink(r.Context(), body.Email, body.Redirect)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The mailer worker picks the token up from the outbox in production;
	// here we only acknowledge.
	s.Log.InfoContext(r.Context(), "magic link issued", "email", body.Email, "token_prefix", tok[:6])
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) passwordLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.Auth.CheckLockout(ctx, body.Email); err != nil {
		s.fail(w, r, err)
		return
	}
	userID, ok := s.verifyPassword(body.Email, body.Password)
	if !ok {
		if err := s.Auth.RecordFailure(ctx, body.Email); err != nil {
			s.Log.WarnContext(ctx, "failed to record login failure", "err", err)
		}
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	_ = s.Auth.ClearFailures(ctx, body.Email)
	s.startSession(w, r, userID, body.Email)
}

// verifyPassword is backed by the identity provider; box-office staff only.
func (s *Server) verifyPassword(email, password string) (string, bool) {
	if password == "" || s.AdminToken == "" {
		return "", false
	}
	return "staff:" + strings.ToLower(email), password == s.AdminToken
}

func (s *Server) loginCallback(w http.ResponseWriter, r *http.Request) {
	email, redirect, err := s.Auth.RedeemMagicLink(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		http.Error(w, "this link has expired, request a new one", http.StatusGone)
		return
	}
	s.startSession(w, r, "cust:"+strings.ToLower(email), email)
	if redirect != "" && strings.HasPrefix(redirect, "/") {
		http.Redirect(w, r, redirect, http.StatusFound)
	}
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID, email string) {
	sess, err := s.Auth.CreateSession(r.Context(), userID, email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if fp := r.Header.Get("X-Device-Fingerprint"); fp != "" {
		if err := s.Auth.RememberDevice(r.Context(), userID, fp); err != nil {
			s.Log.WarnContext(r.Context(), "device not remembered", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: "sid", Value: sess.ID, Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.EndSession(r.Context(), sessionFrom(r.Context()).ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// ---- cart ----

const cartTTL = 2 * time.Hour

func cartKey(sess *domain.Session) string { return "cart:" + sess.ID }

func (s *Server) loadCart(r *http.Request) (*domain.Cart, error) {
	raw, err := s.Carts.Get(r.Context(), cartKey(sessionFrom(r.Context())))
	if errors.Is(err, domain.ErrNotFound) {
		return &domain.Cart{}, nil
	}
	if err != nil {
		return nil, err
	}
	var c domain.Cart
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Server) getCart(w http.ResponseWriter, r *http.Request) {
	c, err := s.loadCart(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, c)
}

func (s *Server) addToCart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var item domain.CartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.Qty <= 0 || item.EventID == "" {
		http.Error(w, "bad cart item", http.StatusBadRequest)
		return
	}
	ev, err := s.Catalog.Get(ctx, item.EventID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	item.PriceCents = ev.PriceCents

	cart, err := s.loadCart(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	merged := false
	for i := range cart.Items {
		if cart.Items[i].EventID == item.EventID && cart.Items[i].Tier == item.Tier {
			cart.Items[i].Qty += item.Qty
			merged = true
		}
	}
	if !merged {
		cart.Items = append(cart.Items, item)
	}
	cart.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(cart)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Carts.Set(ctx, cartKey(sessionFrom(ctx)), b, cartTTL); err != nil { // EXPECT kvrace
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, cart)
}

func (s *Server) clearCart(w http.ResponseWriter, r *http.Request) {
	if err := s.Carts.Delete(r.Context(), cartKey(sessionFrom(r.Context()))); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
