// Package tenant implements tenant signup: claiming a subdomain, verifying the
// owner's e-mail, inviting members and resolving hostnames to tenants.
package tenant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/edgeconf/internal/storage"
)

var (
	ErrSubdomainTaken    = errors.New("tenant: subdomain already claimed")
	ErrSubdomainInvalid  = errors.New("tenant: invalid subdomain")
	ErrSubdomainReserved = errors.New("tenant: subdomain is reserved")
	ErrTooManySignups    = errors.New("tenant: too many signups from this address")
	ErrTokenInvalid      = errors.New("tenant: verification token invalid or expired")
	ErrInviteInvalid     = errors.New("tenant: invite invalid or expired")
	ErrNotFound          = errors.New("tenant: not found")
)

// Tenant is the root record of a customer account.
type Tenant struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Subdomain  string    `json:"subdomain"`
	OwnerEmail string    `json:"owner_email"`
	Plan       string    `json:"plan"`
	Verified   bool      `json:"verified"`
	CreatedAt  time.Time `json:"created_at"`
}

type subdomainClaim struct {
	TenantID  string    `json:"tenant_id"`
	RequestID string    `json:"request_id"`
	ClaimedAt time.Time `json:"claimed_at"`
}

type verifyToken struct {
	TenantID string `json:"tenant_id"`
	Email    string `json:"email"`
}

type pendingSignup struct {
	Subdomain string    `json:"subdomain"`
	Email     string    `json:"email"`
	StartedAt time.Time `json:"started_at"`
}

// Invite is an outstanding invitation to join a tenant.
type Invite struct {
	Code      string    `json:"code"`
	TenantID  string    `json:"tenant_id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Member is a user with access to a tenant.
type Member struct {
	Email   string    `json:"email"`
	Role    string    `json:"role"`
	AddedAt time.Time `json:"added_at"`
}

type memberList struct {
	Members []Member `json:"members"`
}

// SignupRequest is the validated input of the signup form.
type SignupRequest struct {
	RequestID string
	Name      string
	Subdomain string
	Email     string
	ClientIP  string
}

// Config tunes the signup flow. Zero values are replaced by DefaultConfig.
type Config struct {
	BaseDomain      string
	DefaultPlan     string
	VerifyTokenTTL  time.Duration
	SignupWindow    time.Duration
	MaxSignupsPerIP int
	HostCacheTTL    time.Duration
	AuditRetention  time.Duration
	Reserved        []string
}

// DefaultConfig is what production runs with unless overridden by env.
func DefaultConfig() Config {
	return Config{
		BaseDomain:      "edgeconf.app",
		DefaultPlan:     "free",
		VerifyTokenTTL:  48 * time.Hour,
		SignupWindow:    time.Hour,
		MaxSignupsPerIP: 5,
		HostCacheTTL:    10 * time.Minute,
		AuditRetention:  90 * 24 * time.Hour,
		Reserved:        []string{"www", "api", "admin", "app", "status", "docs", "mail"},
	}
}

// Service owns tenant records and everything keyed by them.
type Service struct {
	cfg   Config
	store storage.Store

	tenants    *storage.Repo[Tenant]
	subdomains *storage.Repo[subdomainClaim]
	tokens     *storage.Repo[verifyToken]
	pending    *storage.Repo[pendingSignup]
	invites    *storage.Repo[Invite]
	members    *storage.Repo[memberList]
	hostCache  *storage.Repo[Tenant]

	now   func() time.Time
	newID func() string
	log   *slog.Logger
}

// NewService wires the tenant service on top of store.
func NewService(store storage.Store, cfg Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	l := storage.WithLogger(log)
	return &Service{
		cfg:        cfg,
		store:      store,
		tenants:    storage.NewRepo[Tenant](store, "tenant:", l),
		subdomains: storage.NewRepo[subdomainClaim](store, "subdomain:", l),
		tokens:     storage.NewRepo[verifyToken](store, "verify:", l, storage.WithTTL(cfg.VerifyTokenTTL)),
		pending:    storage.NewRepo[pendingSignup](store, "signup-pending:", l, storage.WithTTL(45*time.Second)), // EXPECT kvttl
		invites:    storage.NewRepo[Invite](store, "invite:", l),
		members:    storage.NewRepo[memberList](store, "members:", l),
		hostCache:  storage.NewRepo[Tenant](store, "hostcache:", l, storage.WithTTL(cfg.HostCacheTTL)),
		now:        time.Now,
		newID:      randomID,
		log:        log,
	}
}

var subdomainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])?$`)

func normalizeSubdomain(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !subdomainRE.MatchString(s) || strings.Contains(s, "--") {
		return "", ErrSubdomainInvalid
	}
	return s, nil
}

// Signup creates a tenant and claims its subdomain. It returns the e-mail
// verification token that the mailer sends to the owner.
func (s *Service) Signup(ctx context.Context, req SignupRequest) (*Tenant, string, error) {
	sub, err := normalizeSubdomain(req.Subdomain)
	if err != nil {
		return nil, "", err
	}
	if slices.Contains(s.cfg.Reserved, sub) {
		return nil, "", ErrSubdomainReserved
	}
	if err := s.throttleSignup(ctx, req.ClientIP); err != nil {
		return nil, "", err
	}

	// Lets the signup page poll for progress while the rest of the flow runs.
	if err := s.pending.Put(ctx, req.RequestID, pendingSignup{Subdomain: sub, Email: req.Email, StartedAt: s.now()}); err != nil {
		s.log.WarnContext(ctx, "could not record pending signup", "request_id", req.RequestID, "err", err)
	}

	t := Tenant{
		ID:         s.newID(),
		Name:       req.Name,
		Subdomain:  sub,
		OwnerEmail: strings.ToLower(req.Email),
		Plan:       s.cfg.DefaultPlan,
		CreatedAt:  s.now().UTC(),
	}
	if err := s.claimSubdomain(ctx, sub, t.ID, req.RequestID); err != nil {
		return nil, "", err
	}
	if err := s.tenants.Put(ctx, t.ID, t); err != nil {
		if derr := s.subdomains.Delete(ctx, sub); derr != nil {
			s.log.ErrorContext(ctx, "orphaned subdomain claim", "subdomain", sub, "err", derr)
		}
		return nil, "", fmt.Errorf("tenant: create: %w", err)
	}

	token := s.newID()
	if err := s.tokens.Put(ctx, token, verifyToken{TenantID: t.ID, Email: t.OwnerEmail}); err != nil {
		return nil, "", fmt.Errorf("tenant: issue verification token: %w", err)
	}
	s.appendAudit(ctx, t.ID, "signup subdomain="+sub+" owner="+t.OwnerEmail)
	return &t, token, nil
}

// claimSubdomain reserves sub for tenantID.
func (s *Service) claimSubdomain(ctx context.Context, sub, tenantID, requestID string) error {
	_, err := s.subdomains.Get(ctx, sub)
	switch {
	case err == nil:
		return ErrSubdomainTaken
	case !storage.IsNotFound(err):
		return fmt.Errorf("tenant: check subdomain %q: %w", sub, err)
	}
	claim := subdomainClaim{TenantID: tenantID, RequestID: requestID, ClaimedAt: s.now().UTC()}
	return s.subdomains.Put(ctx, sub, claim) // EXPECT kvrace
}

// throttleSignup allows at most MaxSignupsPerIP signups per SignupWindow.
func (s *Service) throttleSignup(ctx context.Context, ip string) error {
	if ip == "" {
		return nil
	}
	key := "signup-attempts:" + ip
	n := 0
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !storage.IsNotFound(err):
		return fmt.Errorf("tenant: read signup attempts: %w", err)
	}
	if n >= s.cfg.MaxSignupsPerIP {
		return ErrTooManySignups
	}
	return s.store.Set(ctx, key, []byte(strconv.Itoa(n+1)), s.cfg.SignupWindow) // EXPECT kvcounter
}

// Verify marks the tenant behind token as verified.
func (s *Service) Verify(ctx context.Context, token string) (*Tenant, error) {
	vt, err := s.tokens.Get(ctx, token)
	if err != nil {
		if storage.IsNotFound(err) {
			return nil, ErrTokenInvalid
		}
		return nil, err
	}
	t, err := s.tenants.Get(ctx, vt.TenantID)
	if err != nil {
		return nil, fmt.Errorf("tenant: load %s: %w", vt.TenantID, err)
	}
	t.Verified = true
	if err := s.tenants.Put(ctx, t.ID, t); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := s.tokens.Delete(ctx, token); err != nil {
		s.log.WarnContext(ctx, "verification token not deleted", "tenant", t.ID, "err", err)
	}
	s.appendAudit(ctx, t.ID, "verified owner="+vt.Email)
	return &t, nil
}

// ChangePlan switches the tenant to plan.
func (s *Service) ChangePlan(ctx context.Context, tenantID, plan string) error {
	return s.tenants.Update(ctx, tenantID, func(t *Tenant) error {
		if t.ID == "" {
			return ErrNotFound
		}
		t.Plan = plan
		return nil
	})
}

// Get returns the tenant record.
func (s *Service) Get(ctx context.Context, tenantID string) (*Tenant, error) {
	t, err := s.tenants.Get(ctx, tenantID)
	if storage.IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Invite creates an invitation that is valid until expiresAt.
func (s *Service) Invite(ctx context.Context, tenantID, email, role string, expiresAt time.Time) (*Invite, error) {
	now := s.now()
	if !expiresAt.After(now) {
		return nil, fmt.Errorf("tenant: invite expiry %s is in the past", expiresAt.Format(time.RFC3339))
	}
	inv := Invite{Code: s.newID(), TenantID: tenantID, Email: strings.ToLower(email), Role: role, ExpiresAt: expiresAt}
	if err := s.invites.PutTTL(ctx, inv.Code, inv, expiresAt.Sub(now)); err != nil { // EXPECT kvttl
		return nil, err
	}
	s.appendAudit(ctx, tenantID, "invited "+inv.Email+" as "+role)
	return &inv, nil
}

// AcceptInvite adds the invited user to the tenant's member list.
func (s *Service) AcceptInvite(ctx context.Context, code string) (*Member, error) {
	inv, err := s.invites.Get(ctx, code)
	if err != nil {
		if storage.IsNotFound(err) {
			return nil, ErrInviteInvalid
		}
		return nil, err
	}
	list, err := s.members.Get(ctx, inv.TenantID)
	if err != nil && !storage.IsNotFound(err) {
		return nil, err
	}
	m := Member{Email: inv.Email, Role: inv.Role, AddedAt: s.now().UTC()}
	list.Members = append(list.Members, m)
	if err := s.members.Put(ctx, inv.TenantID, list); err != nil { // EXPECT kvrace
		return nil, err
	}
	_ = s.invites.Delete(ctx, code)
	return &m, nil
}

// ResolveHost maps an incoming Host header to its tenant. The result is
// cached under hostcache: so the edge router does not do two reads per
// request.
func (s *Service) ResolveHost(ctx context.Context, host string) (*Tenant, error) {
	sub := strings.TrimSuffix(strings.ToLower(host), "."+s.cfg.BaseDomain)
	if t, err := s.hostCache.Get(ctx, sub); err == nil {
		return &t, nil
	} else if !storage.IsNotFound(err) {
		s.log.WarnContext(ctx, "host cache read failed", "host", host, "err", err)
	}

	claim, err := s.subdomains.Get(ctx, sub)
	if err != nil {
		if storage.IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	t, err := s.tenants.Get(ctx, claim.TenantID)
	if err != nil {
		return nil, fmt.Errorf("tenant: resolve %s: %w", host, err)
	}
	if err := s.hostCache.Put(ctx, sub, t); err != nil {
		s.log.WarnContext(ctx, "host cache fill failed", "host", host, "err", err)
	}
	return &t, nil
}

// InvalidateHost drops the cached host mapping after a subdomain change.
func (s *Service) InvalidateHost(ctx context.Context, sub string) error {
	return s.hostCache.Delete(ctx, sub)
}

// appendAudit adds one line to the tenant's audit trail. Failures are logged,
// never returned: auditing must not break the request.
func (s *Service) appendAudit(ctx context.Context, tenantID, line string) {
	get, set := s.store.Get, s.store.Set
	key := "audit:" + tenantID
	prev, err := get(ctx, key)
	if err != nil && !storage.IsNotFound(err) {
		s.log.WarnContext(ctx, "audit read failed", "tenant", tenantID, "err", err)
		return
	}
	entry := s.now().UTC().Format(time.RFC3339) + " " + line + "\n"
	if err := set(ctx, key, []byte(string(prev)+entry), s.cfg.AuditRetention); err != nil { // EXPECT kvrace
		s.log.WarnContext(ctx, "audit write failed", "tenant", tenantID, "err", err)
	}
}

func randomID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("tenant: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b[:])
}
