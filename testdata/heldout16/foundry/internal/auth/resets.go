package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

var (
	ErrBadLink   = errors.New("auth: reset link invalid or expired")
	ErrLockedOut = errors.New("auth: too many failed sign-ins")
)

// Accounts is the account service: it owns passwords and sends mail.
type Accounts interface {
	SetPassword(ctx context.Context, playerID, password string) error
	SendReset(ctx context.Context, playerID, link string) error
}

// Resets issues and redeems password reset links.
type Resets struct {
	store    kvstore.Store
	accounts Accounts
	sessions *Manager
	baseURL  string
}

// NewResets wires the reset flow.
func NewResets(store kvstore.Store, accounts Accounts, sessions *Manager, baseURL string) *Resets {
	return &Resets{store: store, accounts: accounts, sessions: sessions, baseURL: baseURL}
}

type resetRecord struct {
	PlayerID string `json:"player_id"`
	Expires  int64  `json:"expires"`
}

// putUntil writes a record that KV drops at the given Unix time.
func (r *Resets) putUntil(ctx context.Context, key string, val []byte, expiresUnix int64) error {
	return r.store.Put(ctx, key, val, kvstore.WithExpireAt(time.Unix(expiresUnix, 0)))
}

// Issue emails a reset link to the player.
func (r *Resets) Issue(ctx context.Context, playerID string) error {
	tok := keys.NewToken()
	exp := time.Now().Add(ResetLink.TTL())
	b, _ := json.Marshal(resetRecord{PlayerID: playerID, Expires: exp.Unix()})
	if err := r.putUntil(ctx, ResetLink.storageKey(tok), b, exp.UnixMilli()); err != nil { // EXPECT kvttl
		return err
	}
	return r.accounts.SendReset(ctx, playerID, r.baseURL+"/reset?t="+tok)
}

// Redeem sets a new password using a reset link.
func (r *Resets) Redeem(ctx context.Context, tok, password string) error {
	k := ResetLink.storageKey(tok)
	raw, err := r.store.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrBadLink
	} else if err != nil {
		return err
	}
	var rec resetRecord
	if err := json.Unmarshal(raw, &rec); err != nil || time.Now().Unix() > rec.Expires {
		return ErrBadLink
	}
	if err := r.accounts.SetPassword(ctx, rec.PlayerID, password); err != nil {
		return err
	}
	if err := r.store.Delete(ctx, k); err != nil { // EXPECT kvsession
		return err
	}
	return r.sessions.RevokeAll(ctx, rec.PlayerID)
}

// Lockout tracks failed sign-ins per account.
type Lockout struct {
	store kvstore.Store
	max   int
}

// NewLockout locks an account after max failures within the login window.
func NewLockout(store kvstore.Store, max int) *Lockout { return &Lockout{store: store, max: max} }

func attemptsKey(account string) string { return keys.Join("login-attempts", keys.Hash(account)) }

// Check returns ErrLockedOut when the account has too many recent failures.
func (l *Lockout) Check(ctx context.Context, account string) error {
	raw, err := l.store.Get(ctx, attemptsKey(account))
	if n, _ := strconv.Atoi(string(raw)); err == nil && n >= l.max {
		return ErrLockedOut
	}
	return nil
}

// Failed records a failed sign-in.
func (l *Lockout) Failed(ctx context.Context, account string) error {
	k := attemptsKey(account)
	n := 0
	raw, err := l.store.Get(ctx, k)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return l.store.Put(ctx, k, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(loginWindowSecs*time.Second)) // EXPECT kvcounter
}
