package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/trellis/internal/bus"
	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/orders"
	"example.com/trellis/internal/sessions"
)

type none struct{}

type (
	credentials struct{ Email, Password string }
	emailReq    struct{ Email string }
	codeReq     struct{ User, Code string }
	skuReq      struct{ SKU string }
	advanceReq  struct {
		To     orders.Status
		Reason string
	}
	tokenReq struct {
		Name   string
		Scopes []string
	}
)

func tenantOf(r *http.Request) keys.TenantID {
	t, _ := keys.TenantFrom(r.Context())
	return t
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	t := tenantOf(r)
	var req credentials
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	} else if locked, err := s.Limiter.Locked(r.Context(), req.Email); err != nil || locked {
		http.Error(w, "too many attempts, try later", http.StatusTooManyRequests)
		return
	}
	user, err := s.Auth.Authenticate(r.Context(), t, req.Email, req.Password)
	if err != nil {
		if _, ferr := s.Limiter.Fail(r.Context(), req.Email); ferr != nil {
			s.Log.WarnContext(r.Context(), "limiter", "err", ferr)
		}
		http.Error(w, "wrong email or password", http.StatusUnauthorized)
		return
	}
	sess, err := s.Sessions.Create(r.Context(), string(t), user, r.RemoteAddr, r.UserAgent())
	if err != nil {
		http.Error(w, "could not sign in", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "trellis_session", Value: sessions.Token(sess), Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
	writeJSON(w, http.StatusCreated, map[string]string{"user": user})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("trellis_session"); err == nil {
		if err := s.Sessions.Logout(r.Context(), string(tenantOf(r)), c.Value); err != nil && !errors.Is(err, sessions.ErrNoSession) {
			http.Error(w, "could not sign out", http.StatusServiceUnavailable)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "trellis_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) devices(r *http.Request, _ none) (map[string]any, error) {
	sess := sessionFrom(r.Context())
	list, next, err := s.Sessions.Devices(r.Context(), sess.Tenant, sess.User, r.URL.Query().Get("cursor"))
	return map[string]any{"devices": list, "cursor": next}, err
}

func (s *Server) startEmail(r *http.Request, req emailReq) (none, error) {
	if !strings.Contains(req.Email, "@") {
		return none{}, errBadRequest
	}
	sess := sessionFrom(r.Context())
	return none{}, s.Emails.Start(r.Context(), sess.Tenant, sess.User, req.Email)
}

func (s *Server) confirmEmail(r *http.Request, req codeReq) (map[string]string, error) {
	sess := sessionFrom(r.Context())
	email, err := s.Emails.Confirm(r.Context(), sess.Tenant, sess.User, req.Code)
	return map[string]string{"email": email}, err
}

func (s *Server) newRecoveryCodes(r *http.Request, _ none) ([]string, error) {
	sess := sessionFrom(r.Context())
	return s.Recovery.Generate(r.Context(), sess.Tenant, sess.User)
}

func (s *Server) useRecoveryCode(r *http.Request, req codeReq) (map[string]any, error) {
	t := string(tenantOf(r))
	left, err := s.Recovery.Redeem(r.Context(), t, req.User, req.Code)
	if err != nil {
		return nil, err
	}
	sess, err := s.Sessions.Create(r.Context(), t, req.User, r.RemoteAddr, r.UserAgent())
	return map[string]any{"token": sessions.Token(sess), "codes_left": left}, err
}

func (s *Server) product(r *http.Request, _ none) (map[string]any, error) {
	t, sku := tenantOf(r), r.PathValue("sku")
	p, err := s.Catalog.Product(r.Context(), t, sku)
	if err != nil {
		return nil, err
	}
	views, err := s.Edge.RecordView(r.Context(), t, sku)
	if err != nil {
		s.Log.DebugContext(r.Context(), "view count", "err", err)
	}
	return map[string]any{"product": p, "views": views}, nil
}

func (s *Server) category(r *http.Request, _ none) (map[string]any, error) {
	t := tenantOf(r)
	ps, err := s.Catalog.Category(r.Context(), t, r.PathValue("category"))
	if err != nil {
		return nil, err
	}
	skus := make([]string, len(ps))
	for i, p := range ps {
		skus[i] = p.SKU
	}
	prices, err := s.Edge.Prices(r.Context(), t, skus)
	return map[string]any{"products": ps, "prices": prices}, err
}

func (s *Server) like(r *http.Request, _ none) (int64, error) {
	return s.Wishlists.Like(r.Context(), tenantOf(r), r.PathValue("sku"))
}

func (s *Server) watch(r *http.Request, req emailReq) (none, error) {
	return none{}, s.Wishlists.Watch(r.Context(), tenantOf(r), r.PathValue("sku"), req.Email)
}

func (s *Server) hold(r *http.Request, _ none) (time.Time, error) {
	until := s.Clock.Now().Add(15 * time.Minute)
	if v, err := time.Parse(time.RFC3339, r.URL.Query().Get("until")); err == nil {
		until = v
	}
	return until, s.Checkout.Hold(r.Context(), tenantOf(r), r.PathValue("id"), until)
}

func (s *Server) addToWishlist(r *http.Request, req skuReq) (any, error) {
	sess := sessionFrom(r.Context())
	return s.Wishlists.Add(r.Context(), keys.TenantID(sess.Tenant), sess.User, r.PathValue("name"), req.SKU)
}

func (s *Server) advance(r *http.Request, req advanceReq) (orders.Order, error) {
	return bus.Send[orders.Order](r.Context(), s.Bus, orders.AdvanceOrder{
		Tenant: string(tenantOf(r)), OrderID: r.PathValue("id"), To: req.To, Actor: "api", Reason: req.Reason,
	})
}

func (s *Server) listOrders(r *http.Request, _ none) (orders.OrderPage, error) {
	t, q := string(tenantOf(r)), r.URL.Query()
	if q.Get("detail") == "1" {
		return bus.Send[orders.OrderPage](r.Context(), s.Bus, orders.ListDetailed{Tenant: t, Cursor: q.Get("cursor")})
	}
	return bus.Send[orders.OrderPage](r.Context(), s.Bus, orders.ListOrders{Tenant: t, Cursor: q.Get("cursor")})
}

func (s *Server) mintToken(r *http.Request, req tokenReq) (map[string]any, error) {
	secret, rec, err := s.Tokens.Mint(r.Context(), string(tenantOf(r)), req.Name, req.Scopes)
	return map[string]any{"token": secret, "id": rec.ID, "scopes": rec.Scopes}, err
}

func (s *Server) revokeToken(r *http.Request, _ none) (none, error) {
	return none{}, s.Tokens.Revoke(r.Context(), string(tenantOf(r)), r.PathValue("id"))
}

// makeRedeem returns the handler for POST /promos/{code}/redeem. Codes sent in a mailing can each be used once.
func makeRedeem(st kvstore.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, t := r.Context(), tenantOf(r)
		code := strings.ToUpper(r.PathValue("code"))
		promo, err := st.Get(ctx, t.Prefix()+"promo-code:"+code)
		if kvstore.IsNotFound(err) {
			http.Error(w, "unknown code", http.StatusNotFound)
			return
		} else if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		usedKey := t.Prefix() + "promo-used:" + code
		if _, err := st.Get(ctx, usedKey); err == nil {
			http.Error(w, "code already used", http.StatusConflict)
			return
		} else if !kvstore.IsNotFound(err) {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if err := st.Put(ctx, usedKey, []byte(sessionFrom(ctx).User), kvstore.PutOptions{}); err != nil { // EXPECT kvsession|kvrace
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(promo)
	}
}

// makePlaceOrder returns the handler for POST /orders.
func makePlaceOrder(b *bus.Bus, st kvstore.Store, clk clock.Clock) http.HandlerFunc {
	stamp := kvstore.Writer.Put
	return endpoint(http.StatusCreated, func(r *http.Request, req orders.PlaceOrder) (orders.Order, error) {
		req.Tenant = string(tenantOf(r))
		o, err := bus.Send[orders.Order](r.Context(), b, req)
		if err != nil {
			return o, err
		}
		at := []byte(clk.Now().UTC().Format(time.RFC3339))
		return o, stamp(st, r.Context(), "stats:last-order-at", at, kvstore.PutOptions{}) // EXPECT kvhotkey
	})
}
