package courier

import (
	"context"
	"errors"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/repo"
)

// ErrLinkInvalid is returned for unknown, expired or used login links.
var ErrLinkInvalid = errors.New("courier: login link invalid")

// Sender delivers a login link to a courier's phone.
type Sender func(ctx context.Context, phone, url string) error

// Directory resolves phone numbers to couriers.
type Directory interface {
	CourierByPhone(ctx context.Context, phone string) (courierID string, ok bool, err error)
}

type loginLink struct {
	Courier string    `json:"courier"`
	Device  string    `json:"device"`
	Issued  time.Time `json:"issued"`
}

// Logins issues and redeems SMS login links.
type Logins struct {
	links    *repo.Repo[loginLink]
	sessions *Sessions
	dir      Directory
	send     Sender
	baseURL  string
}

// NewLogins wires the login flow.
func NewLogins(s kv.Store, sessions *Sessions, dir Directory, send Sender, linkTTL time.Duration, baseURL string) *Logins {
	return &Logins{
		links:    repo.New(s, "login:", repo.WithTTL[loginLink](linkTTL)),
		sessions: sessions,
		dir:      dir,
		send:     send,
		baseURL:  baseURL,
	}
}

// Start sends a login link to phone if it belongs to a courier. Unknown
// numbers get the same response so the endpoint cannot be used to probe.
func (l *Logins) Start(ctx context.Context, phone, deviceID string) error {
	courierID, ok, err := l.dir.CourierByPhone(ctx, phone)
	if err != nil || !ok {
		return err
	}
	token := newToken(32)
	if err := l.links.Save(ctx, token, loginLink{Courier: courierID, Device: deviceID, Issued: time.Now().UTC()}); err != nil {
		return err
	}
	return l.send(ctx, phone, l.baseURL+"/login/"+token)
}

// Redeem exchanges a login link for a session lasting until shiftEnd.
func (l *Logins) Redeem(ctx context.Context, token string, shiftEnd time.Time) (Session, error) {
	link, err := l.links.Get(ctx, token)
	if errors.Is(err, repo.ErrNotFound) {
		return Session{}, ErrLinkInvalid
	}
	if err != nil {
		return Session{}, err
	}
	if err := l.links.Delete(ctx, token); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return l.sessions.Create(ctx, link.Courier, link.Device, shiftEnd)
}
