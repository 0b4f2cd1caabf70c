// Package invites issues organisation invitations and redeems them.
package invites

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/mail"
	"path"
	"strconv"
	"strings"
	"time"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

// Invite is an outstanding invitation to join an organisation.
type Invite struct {
	Code      string    `json:"code"`
	Org       string    `json:"org"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Key implements keys.Keyer.
func (i Invite) Key() string { return "invite/" + i.Code }

// LogValue keeps most of the code out of logs.
func (i Invite) LogValue() slog.Value {
	return slog.GroupValue(slog.String("org", i.Org), slog.String("code", i.Code[:min(6, len(i.Code))]+"…"))
}

func indexKey(org, code string) string { return keys.Join("invite-idx", org, code) }
func attemptsKey(code string) string   { return "invite-attempts/" + code }

var (
	ErrNotFound  = httpx.Errorf(http.StatusNotFound, "invite_not_found", "invitation not found or expired")
	ErrWrongUser = httpx.Errorf(http.StatusForbidden, "invite_wrong_user", "invitation was sent to a different address")
	ErrLocked    = httpx.Errorf(http.StatusTooManyRequests, "invite_locked", "too many attempts for this invitation")
)

// Service manages invitations.
type Service struct {
	st          store.Store
	bus         *events.Bus
	ttl         time.Duration
	maxAttempts int
	now         func() time.Time
}

// New returns a Service; ttl is the default invitation lifetime.
func New(st store.Store, bus *events.Bus, ttl time.Duration, maxAttempts int) *Service {
	return &Service{st: st, bus: bus, ttl: ttl, maxAttempts: maxAttempts, now: time.Now}
}

// CreateRequest asks for a new invitation. ExpiresAt is optional.
type CreateRequest struct {
	Org       string    `json:"org"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Create stores a new invitation under a fresh code.
func (s *Service) Create(ctx context.Context, req CreateRequest) (Invite, error) {
	addr, err := mail.ParseAddress(req.Email)
	if err != nil {
		return Invite{}, httpx.Errorf(http.StatusBadRequest, "bad_email", "%v", err)
	}
	now := s.now()
	inv := Invite{Code: keys.Token(16), Org: req.Org, Email: strings.ToLower(addr.Address), Role: req.Role,
		CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	if !req.ExpiresAt.IsZero() {
		if !req.ExpiresAt.After(now) {
			return Invite{}, httpx.Errorf(http.StatusBadRequest, "bad_expiry", "expires_at is in the past")
		}
		inv.ExpiresAt = req.ExpiresAt
	}
	body, err := json.Marshal(inv)
	if err != nil {
		return Invite{}, err
	}
	if err := s.st.Put(ctx, inv.Key(), string(body), time.Until(inv.ExpiresAt)); err != nil { // EXPECT kvttl
		return Invite{}, err
	}
	if err := s.st.Put(ctx, indexKey(inv.Org, inv.Code), inv.Email, s.ttl); err != nil {
		return Invite{}, err
	}
	slog.InfoContext(ctx, "invite created", "invite", inv)
	return inv, nil
}

// AcceptRequest redeems an invitation for a signed-in user.
type AcceptRequest struct {
	Code   string `json:"code"`
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// Accept checks the invitation against the user and consumes it.
func (s *Service) Accept(ctx context.Context, req AcceptRequest) (Invite, error) {
	raw, err := s.st.Get(ctx, Invite{Code: req.Code}.Key())
	if store.IsNotFound(err) {
		return Invite{}, ErrNotFound
	}
	if err != nil {
		return Invite{}, err
	}
	var inv Invite
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		return Invite{}, err
	}
	if s.now().After(inv.ExpiresAt) {
		return Invite{}, ErrNotFound
	}
	failed, err := s.attempts(ctx, req.Code)
	if err != nil {
		return Invite{}, err
	}
	if failed >= s.maxAttempts {
		return Invite{}, ErrLocked
	}
	if !strings.EqualFold(inv.Email, strings.TrimSpace(req.Email)) {
		if err := s.recordFailure(ctx, req.Code, failed); err != nil {
			slog.WarnContext(ctx, "record invite failure", "invite", inv, "err", err)
		}
		return Invite{}, ErrWrongUser
	}

	if err := s.st.Delete(ctx, inv.Key()); err != nil { // DEBATABLE kvsession
		return Invite{}, err
	}
	if err := s.st.Delete(ctx, indexKey(inv.Org, inv.Code)); err != nil {
		slog.WarnContext(ctx, "drop invite index", "invite", inv, "err", err)
	}
	return inv, events.Publish(ctx, s.bus, events.InviteAccepted{
		Org: inv.Org, UserID: req.UserID, Email: inv.Email, Role: inv.Role, At: s.now(),
	})
}

func (s *Service) attempts(ctx context.Context, code string) (int, error) {
	v, err := s.st.Get(ctx, attemptsKey(code))
	if store.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

func (s *Service) recordFailure(ctx context.Context, code string, prev int) error {
	return s.st.Put(ctx, attemptsKey(code), strconv.Itoa(prev+1), time.Hour) // EXPECT kvcounter
}

// ListRequest selects one page of an organisation's open invitations.
type ListRequest struct{ Org, Cursor string }

// Bind implements httpx.Binder.
func (r *ListRequest) Bind(req *http.Request) error {
	r.Org, r.Cursor = req.PathValue("org"), req.URL.Query().Get("cursor")
	return nil
}

// ListResponse is one page of invitation codes.
type ListResponse struct {
	Codes  []string `json:"codes"`
	Cursor string   `json:"cursor,omitempty"`
}

// List returns one page; clients pass Cursor back for the next.
func (s *Service) List(ctx context.Context, req ListRequest) (ListResponse, error) {
	page, err := s.st.List(ctx, store.ListQuery{Prefix: keys.Join("invite-idx", req.Org) + "/", Cursor: req.Cursor, Limit: 100})
	if err != nil {
		return ListResponse{}, err
	}
	resp := ListResponse{Codes: make([]string, 0, len(page.Keys))}
	for _, k := range page.Keys {
		resp.Codes = append(resp.Codes, path.Base(k))
	}
	if !page.Complete {
		resp.Cursor = page.Cursor
	}
	return resp, nil
}
