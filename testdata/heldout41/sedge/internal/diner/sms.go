//go:build js && wasm

package diner

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"sedge/internal/config"
	"sedge/internal/httpx"
)

const (
	maxCodeAttempts = 5
	codeLifetime    = 5 * time.Minute
)

type sendCode struct {
	Phone string `json:"phone"`
	Venue string `json:"venue"`
}

func (c *sendCode) Validate() error {
	p := normalizePhone(c.Phone)
	if len(p) < 8 || len(p) > 16 || !strings.HasPrefix(p, "+") {
		return errors.New("phone must be in international format")
	}
	return nil
}

type verifyCode struct {
	Request string `json:"request"`
	Phone   string `json:"phone"`
	Code    string `json:"code"`
}

func (c *verifyCode) Validate() error {
	if c.Request == "" || len(c.Code) != 6 {
		return errors.New("request and 6-digit code required")
	}
	return nil
}

type codeRecord struct {
	Hash  string `json:"hash"`
	Phone string `json:"phone"`
	Sent  int64  `json:"sent"`
}

func normalizePhone(p string) string {
	return strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, p)
}

func phoneKey(phone string) string {
	sum := sha256.Sum256([]byte(normalizePhone(phone)))
	return hex.EncodeToString(sum[:16])
}

func hashCode(request, code string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%s", request, code))
	return hex.EncodeToString(sum[:])
}

// SendCode texts a six-digit code. Each send is a separate request ID, so a
// resend never overwrites a code that is still in flight.
func (s *Service) SendCode(w http.ResponseWriter, r *http.Request) error {
	var cmd sendCode
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	req := newID(16)
	rec := codeRecord{Hash: hashCode(req, code), Phone: phoneKey(cmd.Phone), Sent: time.Now().Unix()}
	body, _ := json.Marshal(rec)
	if err := s.codes.Namespace().PutString(s.codes.Key(req), string(body), &kv.PutOptions{
		ExpirationTTL: int(codeLifetime), // EXPECT kvttl
	}); err != nil {
		return err
	}
	if err := s.sms.Send(cmd.Phone, "Your Sedge code is "+code); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusAccepted, map[string]string{"request": req})
}

// VerifyCode checks a code and signs the diner in.
func (s *Service) VerifyCode(w http.ResponseWriter, r *http.Request) error {
	var cmd verifyCode
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	pk := phoneKey(cmd.Phone)
	tries := 0
	if o, err := s.attempts.Lookup(pk); err != nil {
		return err
	} else if v, ok := o.Get(); ok {
		tries, _ = strconv.Atoi(v)
	}
	if tries >= maxCodeAttempts {
		return httpx.Status(http.StatusTooManyRequests, "too many attempts")
	}
	if err := s.attempts.Put(pk, strconv.Itoa(tries+1), time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	o, err := s.codes.Lookup(cmd.Request)
	if err != nil {
		return err
	}
	raw, ok := o.Get()
	if !ok {
		return httpx.Status(http.StatusUnauthorized, "code expired")
	}
	var rec codeRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return err
	}
	want := hashCode(cmd.Request, cmd.Code)
	if rec.Phone != pk || subtle.ConstantTimeCompare([]byte(want), []byte(rec.Hash)) != 1 {
		return httpx.Status(http.StatusUnauthorized, "incorrect code")
	}
	if err := s.codes.Delete(cmd.Request); err != nil { // EXPECT kvsession
		return err
	}
	evt, err := publishLogin(r, s.bus, DinerID(normalizePhone(cmd.Phone)), "sms")
	if err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie(evt.SessionID, s.cfg.Load().SessionTTL))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// OAuthStart begins sign-in with an identity provider.
func (s *Service) OAuthStart(w http.ResponseWriter, r *http.Request) error {
	state := newID(24)
	if err := s.oauth.PutKind(state, r.URL.Query().Get("next"), config.KindCode); err != nil {
		return err
	}
	http.Redirect(w, r, "https://accounts.google.com/o/oauth2/v2/auth?state="+state, http.StatusFound)
	return nil
}

// OAuthCallback completes provider sign-in. Exchange checks the code with the
// provider and returns the verified email.
func (s *Service) OAuthCallback(exchange func(code string) (string, error)) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		state := q.Get("state")
		o, err := s.oauth.Lookup(state)
		if err != nil {
			return err
		}
		next, ok := o.Get()
		if !ok {
			return httpx.Status(http.StatusBadRequest, "unknown state")
		}
		if err := s.oauth.Delete(state); err != nil { // EXPECT kvsession
			return err
		}
		email, err := exchange(q.Get("code"))
		if err != nil {
			return httpx.Status(http.StatusUnauthorized, "provider refused: %v", err)
		}
		evt, err := publishLogin(r, s.bus, DinerID(email), "google")
		if err != nil {
			return err
		}
		http.SetCookie(w, sessionCookie(evt.SessionID, s.cfg.Load().SessionTTL))
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
}
