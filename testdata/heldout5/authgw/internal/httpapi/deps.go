// Package httpapi holds the gateway's HTTP handlers. Handlers depend only on
// the function fields of Deps; main wires them to concrete services.
package httpapi

import (
	"context"
	"log/slog"

	"example.com/authgw/internal/apikey"
	"example.com/authgw/internal/audit"
	"example.com/authgw/internal/flags"
	"example.com/authgw/internal/identity"
	"example.com/authgw/internal/magiclink"
	"example.com/authgw/internal/oauth"
	"example.com/authgw/internal/routing"
	"example.com/authgw/internal/session"
)

// Provider is an upstream identity provider.
type Provider struct {
	AuthURL  string
	ClientID string
	Scopes   string
}

// Deps lists every capability the handlers use.
type Deps struct {
	Signup         func(ctx context.Context, email, password string) (*identity.User, error)
	UserByEmail    func(ctx context.Context, email string) (*identity.User, error)
	VerifyPassword func(u *identity.User, password string) error
	ChangePassword func(ctx context.Context, userID, oldPassword, newPassword string) error

	CheckLock   func(ctx context.Context, email string) error
	LoginFailed func(ctx context.Context, email string) error
	LoginOK     func(ctx context.Context, email string) error
	CountLogin  func(ctx context.Context, method string, ok bool) error

	CreateSession  func(ctx context.Context, userID, userAgent string) (*session.Session, error)
	PeekSession    func(ctx context.Context, id string) (*session.Session, error)
	EndSession     func(ctx context.Context, id string) error
	EndAllSessions func(ctx context.Context, userID string) (int, error)
	GrantStepUp    func(ctx context.Context, sid string) error
	HasStepUp      func(ctx context.Context, sid string) (bool, error)

	IssueRefresh  func(ctx context.Context, userID string) (string, error)
	RotateRefresh func(ctx context.Context, raw string) (string, string, error)
	RevokeRefresh func(ctx context.Context, userID string) (int, error)

	SendMagicLink   func(ctx context.Context, email, redirect string) error
	RedeemMagicLink func(ctx context.Context, token string) (magiclink.Link, error)

	Providers        map[string]Provider
	CallbackURL      string
	BeginUpstream    func(ctx context.Context, provider, returnTo string) (string, string, error)
	ConsumeState     func(ctx context.Context, state string) (oauth.PendingLogin, error)
	ExchangeUpstream func(ctx context.Context, provider, code, verifier string) (email string, err error)
	CheckRedirect    func(ctx context.Context, clientID, uri string) (*oauth.Client, error)
	IssueCode        func(ctx context.Context, g oauth.Grant) (string, error)
	RedeemCode       func(ctx context.Context, code, clientID, redirectURI, verifier string) (oauth.Grant, error)
	RegisterClient   func(ctx context.Context, tenant, name string, redirects []string) (*oauth.Client, error)
	AddRedirect      func(ctx context.Context, clientID, uri string) error

	CreateKey  func(ctx context.Context, tenant, label string, scopes []string, lim apikey.Limits) (string, *apikey.Key, error)
	RevokeKey  func(ctx context.Context, tenant, id string) error
	ListKeys   func(ctx context.Context, tenant, cursor string, limit int) (apikey.Page, error)
	ExportKeys func(ctx context.Context) ([]apikey.Exported, error)

	EvaluateFlags   func(ctx context.Context, tenant string) (flags.Set, error)
	SetFlag         func(ctx context.Context, tenant, flag string, on bool, by string) error
	ClearFlag       func(ctx context.Context, tenant, flag string) error
	RecordExposures func(ctx context.Context, tenant string, names []string) error

	PutRoute   func(ctx context.Context, tenant, prefix, alias string) error
	ListRoutes func(ctx context.Context, tenant, cursor string) (routing.RoutePage, error)
	SetOrigin  func(ctx context.Context, tenant, alias, origin string) error

	Audit      func(ctx context.Context, ev audit.Event) error
	AuditIndex func(ctx context.Context, day string) ([]string, error)
	AuditEvent func(ctx context.Context, id string) (audit.Event, error)
	AuditTail  func(ctx context.Context, n int) ([]string, bool, error)

	AdminToken string
	Log        *slog.Logger
}

// API is the handler set.
type API struct {
	d Deps
}

func New(d Deps) *API {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &API{d: d}
}
