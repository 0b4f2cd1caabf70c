// Package members handles member sessions on the backend: refresh tokens
// for the mobile app, password changes and preferences.
package members

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/events"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/keys"
	"example.com/heron/internal/ports"
	"example.com/heron/internal/repo"
)

// Directory is the CRM, which owns member records and passwords.
type Directory interface {
	SetPassword(ctx context.Context, memberID, password string) error
}

// Tokens are returned on refresh.
type Tokens struct {
	SessionID string `json:"session_id"`
	Refresh   string `json:"refresh_token"`
}

// Prefs are a member's communication preferences.
type Prefs struct {
	Newsletter bool   `json:"newsletter"`
	Lang       string `json:"lang"`
	LargePrint bool   `json:"large_print"`
}

var defaultPrefs = Prefs{Newsletter: true, Lang: "en"}

type refreshRecord struct {
	MemberID string    `json:"member_id"`
	Device   string    `json:"device"`
	Issued   time.Time `json:"issued"`
}

// Service is the member service.
type Service struct {
	dir      Directory
	sessNS   ports.Handle
	sessions *repo.Repo[domain.Session]
	refresh  *repo.Repo[refreshRecord]
	prefs    ports.Handle
	bus      *events.Bus
	now      func() time.Time
}

// New wires a Service. Sessions last lifetime; refresh tokens thirty days.
func New(b ports.Backend, sessionsNS, membersNS string, dir Directory, bus *events.Bus, lifetime time.Duration) *Service {
	sess := b.Namespace(sessionsNS)
	s := &Service{
		dir:      dir,
		sessNS:   sess,
		sessions: repo.New[domain.Session](sess, repo.WithTTL(lifetime)),
		refresh:  repo.New[refreshRecord](sess.Prefixed("rt:"), repo.WithTTL(30*24*time.Hour)),
		prefs:    b.Namespace(membersNS).Prefixed("prefs:"),
		bus:      bus,
		now:      time.Now,
	}
	bus.On(events.PasswordChanged{}.EventName(), s.revokeAll)
	return s
}

func token() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Service) open(ctx context.Context, memberID, tier, device string) (Tokens, error) {
	now := s.now()
	id := token()
	sess := domain.Session{ID: id, MemberID: memberID, Tier: tier, CreatedAt: now, LastSeen: now, UserAgent: device}
	if err := s.sessions.Put(ctx, keys.MemberScoped(memberID, "sess", id), sess); err != nil {
		return Tokens{}, err
	}
	rt := token()
	rec := refreshRecord{MemberID: memberID, Device: device, Issued: now}
	if err := s.refresh.Put(ctx, keys.Hashed("", rt), rec); err != nil {
		return Tokens{}, err
	}
	return Tokens{SessionID: keys.MemberScoped(memberID, "sess", id), Refresh: rt}, nil
}

// RefreshReq exchanges a refresh token for a new pair.
type RefreshReq struct {
	Token string `json:"refresh_token"`
}

// Refresh rotates a refresh token.
func (s *Service) Refresh(ctx context.Context, req RefreshReq) (Tokens, error) {
	old := keys.Hashed("", req.Token)
	rec, err := s.refresh.Get(ctx, old)
	if errors.Is(err, ports.ErrNotFound) {
		return Tokens{}, httpx.Errorf(http.StatusUnauthorized, "refresh token expired")
	}
	if err != nil {
		return Tokens{}, err
	}
	t, err := s.open(ctx, rec.MemberID, "", rec.Device)
	if err != nil {
		return Tokens{}, err
	}
	if err := s.refresh.Delete(ctx, old); err != nil { // EXPECT kvsession
		return Tokens{}, err
	}
	return t, nil
}

// PasswordReq changes a password.
type PasswordReq struct {
	MemberID string `json:"member_id"`
	Password string `json:"password"`
}

// ChangePassword updates the CRM and signs the member out everywhere.
func (s *Service) ChangePassword(ctx context.Context, req PasswordReq) (struct{}, error) {
	if len(req.Password) < 12 {
		return struct{}{}, httpx.Errorf(http.StatusBadRequest, "password too short")
	}
	if err := s.dir.SetPassword(ctx, req.MemberID, req.Password); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.bus.Publish(ctx, events.PasswordChanged{MemberID: req.MemberID, At: s.now()})
}

// revokeAll ends every session of the member named in the event.
func (s *Service) revokeAll(ctx context.Context, e events.Event) error {
	ev, ok := e.(events.PasswordChanged)
	if !ok {
		return nil
	}
	page, err := s.sessNS.List(ctx, ports.ListReq{Prefix: keys.MemberPrefix(ev.MemberID, "sess")}) // EXPECT kvlist
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range page.Keys {
		if err := s.sessions.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PrefsReq names a member.
type PrefsReq struct {
	MemberID string `json:"member_id"`
}

// Bind reads the member id from the path when present.
func (r *PrefsReq) Bind(req *http.Request) error {
	if id := req.PathValue("member_id"); id != "" {
		r.MemberID = id
	}
	return nil
}

// EnsurePrefs writes default preferences for a member who has none, so the
// mailing export sees every member.
func (s *Service) EnsurePrefs(ctx context.Context, req PrefsReq) (struct{}, error) {
	if _, err := s.prefs.Get(ctx, req.MemberID); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(defaultPrefs)
		return struct{}{}, s.prefs.Put(ctx, req.MemberID, b, nil)
	}
	return struct{}{}, nil
}

// Revoker keeps the deny-list of access-token ids (jti) that the edge
// checks before accepting a mobile-app token. It talks to the API directly
// because the edge reads the same namespace through its binding.
type Revoker struct {
	api       *cloudflare.Client
	accountID string
	nsID      string
}

// NewRevoker returns a Revoker on namespace nsID.
func NewRevoker(api *cloudflare.Client, accountID, nsID string) *Revoker {
	return &Revoker{api: api, accountID: accountID, nsID: nsID}
}

// accessTokenLifetime is the longest an access token can live; deny-list
// entries can go once the token would have expired anyway.
const accessTokenLifetime = 15 * time.Minute

// RevokeReq names an access token.
type RevokeReq struct {
	JTI string `json:"jti"`
}

// Revoke adds a token id to the deny-list.
func (r *Revoker) Revoke(ctx context.Context, req RevokeReq) (struct{}, error) {
	if req.JTI == "" {
		return struct{}{}, errors.New("revoke: jti is required")
	}
	_, err := r.api.KV.Namespaces.Values.Update(ctx, r.nsID, "revoked:"+req.JTI, kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(r.accountID),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(accessTokenLifetime.Seconds()),
	})
	if err != nil {
		return struct{}{}, fmt.Errorf("revoke %s: %w", req.JTI, err)
	}
	return struct{}{}, nil
}

// IsRevoked reports whether jti is on the deny-list.
func (r *Revoker) IsRevoked(ctx context.Context, jti string) (bool, error) {
	res, err := r.api.KV.Namespaces.Values.Get(ctx, r.nsID, "revoked:"+jti, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.accountID),
	})
	var apiErr *cloudflare.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		return false, nil
	case err != nil:
		return false, err
	}
	res.Body.Close()
	return true, nil
}
