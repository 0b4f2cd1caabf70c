// Package usecase holds the interactors of the public API. Each interactor
// takes an input, talks to gateways and hands its output to a presenter.
package usecase

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"regexp"
	"time"
)

// ErrNotFound is returned by gateways for missing records.
var ErrNotFound = errors.New("not found")

// Presenter receives the output of an interactor.
type Presenter[O any] interface {
	Present(out O)
	PresentError(err error)
}

// ---- portfolio ----

// PortfolioInput asks for the holdings of an address.
type PortfolioInput struct {
	ChainID uint64
	Address string
	Cursor  string
}

// Holding is one token balance.
type Holding struct {
	Contract string `json:"contract"`
	Balance  string `json:"balance"`
}

// PortfolioOutput is the portfolio page.
type PortfolioOutput struct {
	Address  string    `json:"address"`
	Holdings []Holding `json:"holdings"`
	Next     string    `json:"next,omitempty"`
}

// PortfolioGateway lists balances.
type PortfolioGateway interface {
	HoldingsPage(ctx context.Context, chainID uint64, addr, cursor string) ([]Holding, string, error)
}

// GetPortfolio is the portfolio interactor.
type GetPortfolio struct {
	Gateway   PortfolioGateway
	Presenter Presenter[PortfolioOutput]
}

// Execute runs the use case.
func (uc GetPortfolio) Execute(ctx context.Context, in PortfolioInput) error {
	hs, next, err := uc.Gateway.HoldingsPage(ctx, in.ChainID, in.Address, in.Cursor)
	if err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	uc.Presenter.Present(PortfolioOutput{Address: in.Address, Holdings: hs, Next: next})
	return nil
}

// ---- vanity handles ----

var handleRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,30}$`)

// ErrHandleTaken is presented when another wallet owns the handle.
var ErrHandleTaken = errors.New("handle already taken")

// ClaimHandleInput claims a handle for a wallet.
type ClaimHandleInput struct {
	Handle string
	Wallet string
}

// ClaimHandleOutput confirms the claim.
type ClaimHandleOutput struct {
	Handle string `json:"handle"`
	Wallet string `json:"wallet"`
}

// HandleGateway stores handle → wallet records.
type HandleGateway interface {
	LookupHandle(ctx context.Context, handle string) (string, error)
	SaveHandle(ctx context.Context, handle, wallet string) error
}

// ClaimHandle is the handle-claim interactor.
type ClaimHandle struct {
	Handles   HandleGateway
	Presenter Presenter[ClaimHandleOutput]
}

// Execute runs the use case.
func (uc ClaimHandle) Execute(ctx context.Context, in ClaimHandleInput) error {
	if !handleRe.MatchString(in.Handle) {
		err := errors.New("invalid handle")
		uc.Presenter.PresentError(err)
		return err
	}
	owner, err := uc.Handles.LookupHandle(ctx, in.Handle)
	switch {
	case err == nil && owner != in.Wallet:
		uc.Presenter.PresentError(ErrHandleTaken)
		return ErrHandleTaken
	case err != nil && !errors.Is(err, ErrNotFound):
		uc.Presenter.PresentError(err)
		return err
	}
	if err := uc.Handles.SaveHandle(ctx, in.Handle, in.Wallet); err != nil { // EXPECT kvrace
		uc.Presenter.PresentError(err)
		return err
	}
	uc.Presenter.Present(ClaimHandleOutput{Handle: in.Handle, Wallet: in.Wallet})
	return nil
}

// ---- watchlist ----

// WatchInput adds or removes an address on a device's watchlist.
type WatchInput struct {
	DeviceID string
	Address  string
	Remove   bool
}

// WatchOutput is the resulting watchlist.
type WatchOutput struct {
	Addresses []string `json:"addresses"`
}

// WatchlistGateway stores watchlists.
type WatchlistGateway interface {
	UpdateWatchlist(ctx context.Context, deviceID string, change func([]string) []string) ([]string, error)
}

// EditWatchlist is the watchlist interactor.
type EditWatchlist struct {
	Lists     WatchlistGateway
	Presenter Presenter[WatchOutput]
}

// Execute runs the use case.
func (uc EditWatchlist) Execute(ctx context.Context, in WatchInput) error {
	list, err := uc.Lists.UpdateWatchlist(ctx, in.DeviceID, func(cur []string) []string {
		out := cur[:0]
		for _, a := range cur {
			if a != in.Address {
				out = append(out, a)
			}
		}
		if !in.Remove {
			out = append(out, in.Address)
		}
		return out
	})
	if err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	uc.Presenter.Present(WatchOutput{Addresses: list})
	return nil
}

// ---- dashboard sessions ----

// Session is a dashboard login.
type Session struct {
	ID        string    `json:"id"`
	Wallet    string    `json:"wallet"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// SessionGateway stores sessions, refresh tokens and e-mail codes.
type SessionGateway interface {
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, id string) (Session, error)
	TouchSession(ctx context.Context, s Session) error
	RevokeSession(ctx context.Context, id string) error
	RefreshOwner(ctx context.Context, token string) (string, error)
	ReplaceRefresh(ctx context.Context, old, fresh, wallet string) error
	EmailCode(ctx context.Context, email string) (string, error)
	ConsumeEmailCode(ctx context.Context, email string) error
}

// LoginInput starts a session for a wallet whose signature was verified.
type LoginInput struct{ Wallet string }

// LoginOutput carries the new credentials.
type LoginOutput struct {
	SessionID    string    `json:"session_id"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Login is the login interactor.
type Login struct {
	Sessions  SessionGateway
	Presenter Presenter[LoginOutput]
	TTL       time.Duration
}

// Execute runs the use case.
func (uc Login) Execute(ctx context.Context, in LoginInput) error {
	now := time.Now()
	s := Session{ID: rand.Text(), Wallet: in.Wallet, ExpiresAt: now.Add(uc.TTL), LastSeen: now}
	if err := uc.Sessions.CreateSession(ctx, s); err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	refresh := rand.Text()
	if err := uc.Sessions.ReplaceRefresh(ctx, "", refresh, in.Wallet); err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	uc.Presenter.Present(LoginOutput{SessionID: s.ID, RefreshToken: refresh, ExpiresAt: s.ExpiresAt})
	return nil
}

// LogoutInput ends a session.
type LogoutInput struct{ SessionID string }

// Logout is the logout interactor.
type Logout struct {
	Sessions  SessionGateway
	Presenter Presenter[struct{}]
}

// Execute runs the use case.
func (uc Logout) Execute(ctx context.Context, in LogoutInput) error {
	if err := uc.Sessions.RevokeSession(ctx, in.SessionID); err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	uc.Presenter.Present(struct{}{})
	return nil
}

// RefreshInput exchanges a refresh token for a new session.
type RefreshInput struct{ RefreshToken string }

// Refresh is the token-rotation interactor.
type Refresh struct {
	Sessions  SessionGateway
	Presenter Presenter[LoginOutput]
	TTL       time.Duration
}

// Execute runs the use case.
func (uc Refresh) Execute(ctx context.Context, in RefreshInput) error {
	wallet, err := uc.Sessions.RefreshOwner(ctx, in.RefreshToken)
	if err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	s := Session{ID: rand.Text(), Wallet: wallet, ExpiresAt: time.Now().Add(uc.TTL), LastSeen: time.Now()}
	if err := uc.Sessions.CreateSession(ctx, s); err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	fresh := rand.Text()
	if err := uc.Sessions.ReplaceRefresh(ctx, in.RefreshToken, fresh, wallet); err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	uc.Presenter.Present(LoginOutput{SessionID: s.ID, RefreshToken: fresh, ExpiresAt: s.ExpiresAt})
	return nil
}

// VerifyEmailInput redeems an e-mail verification code.
type VerifyEmailInput struct {
	Email string
	Code  string
}

// VerifyEmail is the e-mail verification interactor.
type VerifyEmail struct {
	Sessions  SessionGateway
	Presenter Presenter[bool]
}

// Execute runs the use case.
func (uc VerifyEmail) Execute(ctx context.Context, in VerifyEmailInput) error {
	want, err := uc.Sessions.EmailCode(ctx, in.Email)
	if err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(in.Code)) != 1 {
		uc.Presenter.Present(false)
		return nil
	}
	if err := uc.Sessions.ConsumeEmailCode(ctx, in.Email); err != nil {
		uc.Presenter.PresentError(err)
		return err
	}
	uc.Presenter.Present(true)
	return nil
}
