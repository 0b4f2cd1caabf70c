//go:build js && wasm

// Package profile serves sign-in, sign-out, traveller preferences and the
// loyalty view.
package profile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/accounts"
	"example.com/wayfarer/internal/cmdbus"
	"example.com/wayfarer/internal/config"
	"example.com/wayfarer/internal/domain"
	mw "example.com/wayfarer/internal/edge/middleware"
	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/ttlpolicy"
)

// Identity verifies passwords against the identity provider.
type Identity interface {
	Verify(ctx context.Context, email, password string) (travellerID string, err error)
	LookupEmail(ctx context.Context, email string) (travellerID string, err error)
}

type Mailer interface {
	SendMagicLink(ctx context.Context, email, link string) error
}

// Ledger is the loyalty system of record.
type Ledger interface {
	Balance(ctx context.Context, travellerID string) (domain.LoyaltyAccount, error)
}

// ErrBadCredentials is returned by Identity.Verify.
var ErrBadCredentials = errors.New("bad credentials")

type Handler struct {
	sessions   *accounts.SessionRepo
	travellers *accounts.TravellerRepo
	loyalty    *accounts.LoyaltyRepo
	authKV     *storage.KV // sessions namespace: magic links, refresh tokens, sign-in tallies
	authBus    *cmdbus.Dispatcher
	cache      storage.Store // cache namespace, undecorated
	sessionsNS func() (*kv.Namespace, error)
	identity   Identity
	mailer     Mailer
	ledger     Ledger
	cfg        config.Edge
	publicBase string
}

// New builds the handler. cache must be the undecorated cache adapter so
// the string fast path is available.
func New(sessions *accounts.SessionRepo, travellers *accounts.TravellerRepo, loyalty *accounts.LoyaltyRepo,
	authKV *storage.KV, authBus *cmdbus.Dispatcher, cache storage.Store, sessionsNS func() (*kv.Namespace, error),
	identity Identity, mailer Mailer, ledger Ledger, cfg config.Edge, publicBase string) *Handler {
	return &Handler{
		sessions: sessions, travellers: travellers, loyalty: loyalty, authKV: authKV, authBus: authBus, cache: cache,
		sessionsNS: sessionsNS, identity: identity, mailer: mailer, ledger: ledger, cfg: cfg, publicBase: publicBase,
	}
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("POST /auth/password", mw.E(h.passwordSignIn))
	mux.Handle("POST /auth/magic-link", mw.E(h.requestMagicLink))
	mux.Handle("GET /auth/magic-link/{token}", mw.E(h.redeemMagicLink))
	mux.Handle("POST /auth/refresh", mw.E(h.refresh))
	mux.Handle("POST /auth/logout", mw.E(h.logout))
	mux.Handle("PUT /me/preferences", mw.E(h.replacePreferences))
	mux.Handle("GET /me/loyalty", mw.E(h.loyaltyView))
}

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, travellerID string) error {
	sess, err := h.sessions.Create(r.Context(), travellerID, r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: mw.SessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.sessions.Idle().Seconds()),
	})
	return mw.WriteJSON(w, http.StatusOK, map[string]string{"traveller_id": travellerID})
}

func (h *Handler) passwordSignIn(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	store := h.authKV.Store()
	tallyKey := "signin-attempts:" + strings.ToLower(in.Email)
	failures := 0
	if raw, err := store.Get(ctx, tallyKey); err == nil {
		failures, _ = strconv.Atoi(string(raw))
	} else if !storage.IsNotFound(err) {
		return err
	}
	if failures >= h.cfg.MaxSignInAttempts {
		http.Error(w, "too many attempts, try again later", http.StatusTooManyRequests)
		return nil
	}
	id, err := h.identity.Verify(ctx, in.Email, in.Password)
	if errors.Is(err, ErrBadCredentials) {
		_ = store.Put(ctx, tallyKey, []byte(strconv.Itoa(failures+1)), storage.WithTTL(ttlpolicy.SignInAttemptsWindow)) // EXPECT kvcounter
		http.Error(w, "wrong e-mail or password", http.StatusUnauthorized)
		return nil
	}
	if err != nil {
		return err
	}
	return h.startSession(w, r, id)
}

func (h *Handler) requestMagicLink(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Email string `json:"email"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	id, err := h.identity.LookupEmail(ctx, in.Email)
	if err != nil {
		// Do not reveal whether the address is registered.
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	ml := domain.MagicLink{Token: domain.NewID(24), TravellerID: id, ExpiresAt: time.Now().Add(ttlpolicy.MagicLink)}
	if err := h.authKV.Entry("magic:" + ml.Token).JSON(ml).TTL(ttlpolicy.MagicLink).Put(ctx); err != nil {
		return err
	}
	if err := h.mailer.SendMagicLink(ctx, in.Email, h.publicBase+"/auth/magic-link/"+ml.Token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (h *Handler) redeemMagicLink(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	token := r.PathValue("token")
	var ml domain.MagicLink
	err := h.authKV.GetJSON(ctx, "magic:"+token, &ml)
	if storage.IsNotFound(err) || (err == nil && time.Now().After(ml.ExpiresAt)) {
		http.Error(w, "link expired", http.StatusGone)
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.authKV.Store().Delete(ctx, "magic:"+token); err != nil { // EXPECT kvsession
		return err
	}
	return h.startSession(w, r, ml.TravellerID)
}

// refresh exchanges a refresh token for a new one (app clients).
func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		Token string `json:"refresh_token"`
	}
	if err := mw.DecodeJSON(r, &in); err != nil {
		return err
	}
	var rt cmdbus.RefreshToken
	if err := h.authKV.GetJSON(ctx, "refresh:"+in.Token, &rt); err != nil {
		return fmt.Errorf("%w: unknown refresh token", domain.ErrForbidden)
	}
	next := domain.NewID(32)
	rotate := cmdbus.RotateRefreshToken{TravellerID: rt.TravellerID, Old: in.Token, New: next, Lifetime: 30 * 24 * time.Hour}
	if err := h.authBus.Execute(ctx, rotate); err != nil {
		return err
	}
	return mw.WriteJSON(w, http.StatusOK, map[string]string{"refresh_token": next})
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(mw.SessionCookie)
	if err == nil && c.Value != "" {
		ns, err := h.sessionsNS()
		if err != nil {
			return err
		}
		if err := ns.Delete("sess:" + c.Value); err != nil { // EXPECT kvsession
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: mw.SessionCookie, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) replacePreferences(w http.ResponseWriter, r *http.Request) error {
	var prefs map[string]string
	if err := mw.DecodeJSON(r, &prefs); err != nil {
		return err
	}
	sess, _ := mw.SessionFrom(r.Context())
	if err := h.travellers.ReplacePreferences(r.Context(), sess.TravellerID, prefs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type loyaltyResponse struct {
	domain.LoyaltyAccount
	PointsToNextTier int    `json:"points_to_next_tier"`
	Banner           string `json:"banner,omitempty"`
}

// loyaltyView serves the balance from the edge mirror when it can and falls
// back to the ledger.
func (h *Handler) loyaltyView(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sess, _ := mw.SessionFrom(ctx)
	var view loyaltyResponse
	sg, fast := h.cache.(storage.StringGetter)
	if fast {
		v, err := sg.GetString(ctx, "loyalty-mirror:"+sess.TravellerID) // EXPECT kvnull
		if err == nil && v != "" {
			if json.Unmarshal([]byte(v), &view.LoyaltyAccount) != nil {
				view.LoyaltyAccount = domain.LoyaltyAccount{}
			}
		}
	}
	if view.TravellerID == "" {
		acct, err := h.ledger.Balance(ctx, sess.TravellerID)
		if err != nil {
			return err
		}
		_ = h.loyalty.CacheBalance(ctx, acct)
		view.LoyaltyAccount = acct
	}
	if fast {
		next, _ := sg.GetString(ctx, "loyalty-config:threshold:"+view.Tier) // EXPECT kvnull
		need, _ := strconv.Atoi(next)
		view.PointsToNextTier = max(0, need-int(view.Points))

		if b, err := sg.GetString(ctx, "loyalty-config:banner"); err == nil && b != "<null>" {
			view.Banner = b
		}
	}
	return mw.WriteJSON(w, http.StatusOK, view)
}
