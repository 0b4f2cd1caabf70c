// Package staff implements sign-in for office staff using the admin
// console: password, then a one-time code sent by SMS.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/cityofpitta/pitta/internal/kvstore"
	"github.com/cityofpitta/pitta/internal/sessionkv"
)

const (
	otpLifetime    = 5 * time.Minute
	otpMaxAttempts = 5
)

// Account is a staff member as known to the city's directory.
type Account struct {
	ID     string
	Office string
	Phone  string
	Admin  bool
}

// Directory checks staff credentials.
type Directory interface {
	Authenticate(ctx context.Context, user, password string) (*Account, error)
	SetPassword(ctx context.Context, id, password string) error
}

// SMS delivers one-time codes.
type SMS interface {
	Send(ctx context.Context, phone, text string) error
}

// Auth serves the console's sign-in pages.
type Auth struct {
	ns       *kvstore.Namespace
	sessions *scs.SessionManager
	dir      Directory
	sms      SMS
	log      *slog.Logger
}

// NewAuth wires staff sign-in.
func NewAuth(ns *kvstore.Namespace, sm *scs.SessionManager, dir Directory, sms SMS, log *slog.Logger) *Auth {
	return &Auth{ns: ns, sessions: sm, dir: dir, sms: sms, log: log}
}

// Password handles POST /admin/login.
func (a *Auth) Password(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acct, err := a.dir.Authenticate(ctx, r.FormValue("user"), r.FormValue("password"))
	if err != nil {
		http.Error(w, "unknown user or wrong password", http.StatusUnauthorized)
		return
	}
	code, err := sixDigits()
	if err != nil {
		a.fail(w, err)
		return
	}
	_, err = a.ns.Client().KV.Namespaces.Values.Update(ctx, a.ns.ID(), "otp:"+acct.ID, kv.NamespaceValueUpdateParams{ // DEBATABLE kvsession
		AccountID:     cloudflare.F(a.ns.AccountID()),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(code)),
		ExpirationTTL: cloudflare.F(float64(otpLifetime)), // EXPECT kvttl
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	if err := a.sms.Send(ctx, acct.Phone, "Your Pitta console code: "+code); err != nil {
		a.fail(w, err)
		return
	}
	if err := a.sessions.RenewToken(ctx); err != nil {
		a.fail(w, err)
		return
	}
	a.sessions.Put(ctx, "pending_staff_id", acct.ID)
	a.sessions.Put(ctx, "pending_office", acct.Office)
	a.sessions.Put(ctx, "pending_admin", acct.Admin)
	http.Redirect(w, r, "/admin/login/code", http.StatusSeeOther)
}

// Code handles POST /admin/login/code.
func (a *Auth) Code(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	staffID := a.sessions.GetString(ctx, "pending_staff_id")
	if staffID == "" {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	want, err := a.ns.Get(ctx, "otp:"+staffID)
	if err != nil {
		http.Error(w, "code expired, sign in again", http.StatusUnauthorized)
		return
	}
	got := strings.TrimSpace(r.FormValue("code"))
	if subtle.ConstantTimeCompare(want, []byte(got)) != 1 {
		attempts := a.sessions.GetInt(ctx, "otp_attempts") + 1
		a.sessions.Put(ctx, "otp_attempts", attempts)
		if err := a.ns.Put(ctx, "otp-attempts:"+staffID, []byte(strconv.Itoa(attempts)), 15*time.Minute); err != nil { // EXPECT kvcounter
			a.log.Warn("record otp attempts", "staff", staffID, "err", err)
		}
		if attempts >= otpMaxAttempts {
			_ = a.sessions.Destroy(ctx)
		}
		http.Error(w, "wrong code", http.StatusUnauthorized)
		return
	}
	if err := a.ns.Delete(ctx, "otp:"+staffID); err != nil { // EXPECT kvsession
		a.fail(w, err)
		return
	}
	if err := a.sessions.RenewToken(ctx); err != nil {
		a.fail(w, err)
		return
	}
	a.sessions.Put(ctx, "staff_id", a.sessions.PopString(ctx, "pending_staff_id"))
	a.sessions.Put(ctx, "office", a.sessions.PopString(ctx, "pending_office"))
	a.sessions.Put(ctx, "admin", a.sessions.PopBool(ctx, "pending_admin"))
	a.sessions.Remove(ctx, "otp_attempts")
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// Logout handles POST /admin/logout.
func (a *Auth) Logout(w http.ResponseWriter, r *http.Request) {
	if err := a.sessions.Destroy(r.Context()); err != nil {
		a.fail(w, err)
		return
	}
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// ChangePassword handles POST /admin/password. Other sessions of the same
// staff member are signed out.
func (a *Auth) ChangePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	staffID := a.sessions.GetString(ctx, "staff_id")
	if err := a.dir.SetPassword(ctx, staffID, r.FormValue("password")); err != nil {
		a.fail(w, err)
		return
	}
	n, err := a.RevokeAll(ctx, staffID, a.sessions.Token(ctx))
	if err != nil {
		a.fail(w, err)
		return
	}
	a.log.Info("password changed", "staff", staffID, "revoked_sessions", n)
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
}

// RevokeAll deletes every console session of staffID except keep, and
// records the revocation so the edge can refuse stale cookies.
func (a *Auth) RevokeAll(ctx context.Context, staffID, keep string) (int, error) {
	client := a.ns.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.ns.AccountID()),
		Prefix:    cloudflare.F(sessionkv.StaffPrefix),
		Limit:     cloudflare.F(1000.0),
	}
	revoked := 0
	for {
		page, err := client.KV.Namespaces.Keys.List(ctx, a.ns.ID(), params) // EXPECT kvlist
		if err != nil {
			return revoked, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			token := strings.TrimPrefix(k.Name, sessionkv.StaffPrefix)
			if token == keep {
				continue
			}
			res, err := client.KV.Namespaces.Values.Get(ctx, a.ns.ID(), k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
				AccountID: cloudflare.F(a.ns.AccountID()),
			})
			if err != nil {
				continue
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(body), staffID) {
				continue
			}
			if err := a.ns.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return revoked, err
			}
			revoked++
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := a.ns.Put(ctx, "revoked:staff:"+staffID, stamp, 12*time.Hour); err != nil { // EXPECT kvsession
		return revoked, err
	}
	return revoked, nil
}

func (a *Auth) fail(w http.ResponseWriter, err error) {
	a.log.Error("staff auth", "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
