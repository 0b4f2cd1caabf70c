//go:build js && wasm

package listeners

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

// otpTTLSeconds is how long an emailed sign-in code stays valid.
const otpTTLSeconds = 45

type Handlers struct {
	Cfg config.Config
}

func (h Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /signup", h.signup)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("POST /login/otp", h.sendOTP)
	mux.HandleFunc("POST /login/otp/verify", h.verifyOTP)
	mux.HandleFunc("POST /token/refresh", h.refresh)
	mux.HandleFunc("POST /account/password", h.changePassword)
	mux.HandleFunc("PUT /me/progress/{ep}", h.saveProgress)
}

// auth opens the AUTH namespace, answering 500 itself when it cannot.
func (h Handlers) auth(w http.ResponseWriter) (Auth, bool) {
	s, err := kv.Open("AUTH")
	if err != nil {
		httpx.Fail(w, "auth", err)
		return Auth{}, false
	}
	return Auth{Store: s, Cfg: h.Cfg}, true
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Device   string `json:"device"`
}

func readCredentials(r *http.Request) (credentials, error) {
	var c credentials
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&c); err != nil {
		return c, err
	}
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	if !strings.Contains(c.Email, "@") {
		return c, errors.New("email required")
	}
	return c, nil
}

func setSessionCookie(w http.ResponseWriter, s Session, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: "tg_session", Value: s.ID, Path: "/", MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func (h Handlers) signup(w http.ResponseWriter, r *http.Request) {
	c, err := readCredentials(r)
	if err != nil || len(c.Password) < 10 {
		httpx.Error(w, http.StatusBadRequest, "email and a password of 10+ characters required")
		return
	}
	a, ok := h.auth(w)
	if !ok {
		return
	}
	key := keys.Login(c.Email)
	if _, exists, err := a.Store.Get(key); err != nil {
		httpx.Fail(w, "signup", err)
		return
	} else if exists {
		httpx.Error(w, http.StatusConflict, "an account with this email exists")
		return
	}
	now := time.Now().UTC()
	acct := Account{ListenerID: "lst_" + httpx.RandomID(10), Email: c.Email, Salt: httpx.RandomID(8), CreatedAt: now, UpdatedAt: now}
	acct.PasswordHash = hashPassword(c.Password, acct.Salt)
	if err := a.Store.PutJSON(key, acct, 0); err != nil { // EXPECT kvrace
		httpx.Fail(w, "signup", err)
		return
	}
	s, err := a.newSession(acct.ListenerID, acct.Email, c.Device)
	if err != nil {
		httpx.Fail(w, "signup", err)
		return
	}
	setSessionCookie(w, s, h.Cfg.SessionTTL)
	httpx.JSON(w, http.StatusCreated, map[string]any{"listener_id": acct.ListenerID})
}

func (h Handlers) login(w http.ResponseWriter, r *http.Request) {
	c, err := readCredentials(r)
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	a, ok := h.auth(w)
	if !ok {
		return
	}
	if ok, err := a.allowLogin(httpx.ClientIP(r)); err != nil {
		httpx.Fail(w, "login", err)
		return
	} else if !ok {
		httpx.Error(w, http.StatusTooManyRequests, "too many attempts, try again later")
		return
	}
	raw, err := a.Store.NS().GetString(keys.Login(c.Email), nil)
	if err != nil {
		httpx.Fail(w, "login", err)
		return
	}
	if raw == "" { // EXPECT kvnull
		httpx.Error(w, http.StatusUnauthorized, "invalid email or password")
		return
	}
	var acct Account
	if err := json.Unmarshal([]byte(raw), &acct); err != nil || !acct.check(c.Password) {
		httpx.Error(w, http.StatusUnauthorized, "invalid email or password")
		return
	}
	s, err := a.newSession(acct.ListenerID, acct.Email, c.Device)
	if err != nil {
		httpx.Fail(w, "login", err)
		return
	}
	setSessionCookie(w, s, h.Cfg.SessionTTL)
	httpx.JSON(w, http.StatusOK, map[string]any{"listener_id": acct.ListenerID})
}

func (h Handlers) logout(w http.ResponseWriter, r *http.Request) {
	id := httpx.SessionCookie(r)
	if id != "" {
		a, ok := h.auth(w)
		if !ok {
			return
		}
		if err := a.Store.Delete(keys.Session(id)); err != nil { // EXPECT kvsession
			httpx.Fail(w, "logout", err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "tg_session", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// signInByEmail finishes a passwordless sign-in; unknown emails get an
// account on the fly.
func (h Handlers) signInByEmail(w http.ResponseWriter, r *http.Request, a Auth, email string) {
	var acct Account
	ok, err := a.Store.GetJSON(keys.Login(email), &acct)
	if err != nil {
		httpx.Fail(w, "signin", err)
		return
	}
	if !ok {
		now := time.Now().UTC()
		acct = Account{ListenerID: "lst_" + httpx.RandomID(10), Email: email, CreatedAt: now, UpdatedAt: now}
		if err := a.Store.PutJSON(keys.Login(email), acct, 0); err != nil { // DEBATABLE kvrace
			httpx.Fail(w, "signin", err)
			return
		}
	}
	s, err := a.newSession(acct.ListenerID, email, r.UserAgent())
	if err != nil {
		httpx.Fail(w, "signin", err)
		return
	}
	setSessionCookie(w, s, h.Cfg.SessionTTL)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func (h Handlers) sendOTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !strings.Contains(body.Email, "@") {
		httpx.Error(w, http.StatusBadRequest, "email required")
		return
	}
	a, ok := h.auth(w)
	if !ok {
		return
	}
	code := sixDigits()
	opts := &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: otpTTLSeconds, // EXPECT kvttl
	}
	if err := a.Store.NS().PutString(keys.OTP(body.Email), hashPassword(code, body.Email), opts); err != nil { // DEBATABLE kvsession
		httpx.Fail(w, "otp.send", err)
		return
	}
	if err := sendMail(body.Email, "otp", map[string]any{"code": code}); err != nil {
		httpx.Fail(w, "otp.send", err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h Handlers) verifyOTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		httpx.Error(w, http.StatusBadRequest, "email and code required")
		return
	}
	body.Email = strings.ToLower(strings.TrimSpace(body.Email))
	a, ok := h.auth(w)
	if !ok {
		return
	}
	want, ok, err := a.Store.Get(keys.OTP(body.Email))
	if err != nil {
		httpx.Fail(w, "otp.verify", err)
		return
	}
	if !ok || want != hashPassword(body.Code, body.Email) {
		httpx.Error(w, http.StatusUnauthorized, "invalid or expired code")
		return
	}
	if err := a.Store.Delete(keys.OTP(body.Email)); err != nil { // EXPECT kvsession
		httpx.Fail(w, "otp.verify", err)
		return
	}
	h.signInByEmail(w, r, a, body.Email)
}

func (h Handlers) refresh(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RefreshToken == "" {
		httpx.Error(w, http.StatusBadRequest, "refresh_token required")
		return
	}
	a, ok := h.auth(w)
	if !ok {
		return
	}
	token, rec, err := a.rotateRefresh(body.RefreshToken)
	if errors.Is(err, errUnknownToken) {
		httpx.Error(w, http.StatusUnauthorized, "unknown refresh token")
		return
	} else if err != nil {
		httpx.Fail(w, "refresh", err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"refresh_token": token, "jti": rec.JTI, "expires_in": int(h.Cfg.RefreshTTL.Seconds())})
}

func (h Handlers) changePassword(w http.ResponseWriter, r *http.Request) {
	a, ok := h.auth(w)
	if !ok {
		return
	}
	s, ok, err := a.current(r)
	if err != nil {
		httpx.Fail(w, "password", err)
		return
	}
	if !ok {
		httpx.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	var body struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.New) < 10 {
		httpx.Error(w, http.StatusBadRequest, "new password of 10+ characters required")
		return
	}
	var acct Account
	if ok, err := a.Store.GetJSON(keys.Login(s.Email), &acct); err != nil || !ok {
		httpx.Fail(w, "password", fmt.Errorf("account %s: %v", s.Email, err))
		return
	}
	if acct.PasswordHash != "" && !acct.check(body.Old) {
		httpx.Error(w, http.StatusForbidden, "old password does not match")
		return
	}
	acct.Salt = httpx.RandomID(8)
	acct.PasswordHash = hashPassword(body.New, acct.Salt)
	acct.UpdatedAt = time.Now().UTC()
	if err := a.Store.PutJSON(keys.Login(s.Email), acct, 0); err != nil { // EXPECT kvrace
		httpx.Fail(w, "password", err)
		return
	}
	n, err := a.revokeOthers(s.ListenerID, s.ID)
	if err != nil {
		httpx.Fail(w, "password", err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"signed_out_devices": n})
}

// saveProgress remembers where the listener stopped in an episode, across
// devices. The map holds the most recent 500 episodes.
func (h Handlers) saveProgress(w http.ResponseWriter, r *http.Request) {
	a, ok := h.auth(w)
	if !ok {
		return
	}
	s, ok, err := a.current(r)
	if err != nil || !ok {
		httpx.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	var body struct {
		Position float64 `json:"position_s"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		httpx.Error(w, http.StatusBadRequest, "position_s required")
		return
	}
	key := keys.Progress(s.ListenerID)
	progress := map[string]any{}
	if _, err := a.Store.GetJSON(key, &progress); err != nil {
		httpx.Fail(w, "progress", err)
		return
	}
	defer func() {
		if err := a.Store.PutJSON(key, progress, 0); err != nil { // EXPECT kvrace
			log.Printf("progress %s: %v", key, err)
		}
	}()
	progress[r.PathValue("ep")] = map[string]any{"pos": body.Position, "at": float64(time.Now().Unix())}
	trimOldest(progress, 500)
	w.WriteHeader(http.StatusNoContent)
}

func trimOldest(m map[string]any, keep int) {
	for len(m) > keep {
		oldest := slices.MinFunc(slices.Collect(maps.Keys(m)), func(a, b string) int {
			return cmp.Compare(playedAt(m[a]), playedAt(m[b]))
		})
		delete(m, oldest)
	}
}

func playedAt(v any) float64 {
	e, _ := v.(map[string]any)
	at, _ := e["at"].(float64)
	return at
}
