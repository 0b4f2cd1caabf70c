// Package anticheat issues per-match nonces, tracks strikes and stores
// replay uploads for review.
package anticheat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/repo"
)

var (
	ErrReplayedNonce = errors.New("anticheat: nonce unknown or already used")
	ErrNonceOwner    = errors.New("anticheat: nonce belongs to another player")
)

// Store is the storage port of the guard.
type Store = kvstore.Store

type strikeRecord struct {
	Count   int       `json:"count"`
	Reasons []string  `json:"reasons"`
	Last    time.Time `json:"last"`
}

// Guard is the anti-cheat entry point.
type Guard struct {
	nonces    Store
	st        Store
	ks        keys.Space
	strikes   *repo.Repo[strikeRecord]
	replayTTL time.Duration
}

// New returns a guard. nonces is a namespace whose default TTL bounds the
// life of an unused nonce; st holds strikes and replays.
func New(nonces, st Store, ks keys.Space, replayRetention time.Duration) *Guard {
	return &Guard{
		nonces:    nonces,
		st:        st,
		ks:        ks,
		strikes:   repo.New[strikeRecord](st, ks.Strikes(""), kvstore.WithTTL(90*24*time.Hour)),
		replayTTL: max(replayRetention, 24*time.Hour),
	}
}

// IssueNonce returns a fresh nonce the client must echo in its match report.
func (g *Guard) IssueNonce(ctx context.Context, player string) (string, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	return id, g.nonces.Put(ctx, g.ks.Nonce(id), []byte(player))
}

// RedeemNonce accepts a nonce once.
func (g *Guard) RedeemNonce(ctx context.Context, id, player string) error {
	raw, err := g.nonces.Get(ctx, g.ks.Nonce(id))
	if kvstore.IsNotFound(err) {
		return ErrReplayedNonce
	}
	if err != nil {
		return err
	}
	if string(raw) != player {
		return ErrNonceOwner
	}
	return g.nonces.Delete(ctx, g.ks.Nonce(id)) // EXPECT kvsession
}

// Strike records a detection against a player and returns the new total.
func (g *Guard) Strike(ctx context.Context, player, reason string) (int, error) {
	rec, err := g.strikes.Get(ctx, player)
	if err != nil && !kvstore.IsNotFound(err) {
		return 0, err
	}
	rec.Count++
	rec.Reasons = append(rec.Reasons, reason)
	if len(rec.Reasons) > 10 {
		rec.Reasons = rec.Reasons[len(rec.Reasons)-10:]
	}
	rec.Last = time.Now().UTC()
	if err := g.strikes.Put(ctx, player, rec); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return rec.Count, nil
}

// StoreReplay keeps an uploaded replay, addressed by its content hash.
func (g *Guard) StoreReplay(ctx context.Context, player, matchID string, blob []byte) (string, error) {
	sum := sha256.Sum256(blob)
	digest := hex.EncodeToString(sum[:])
	err := g.st.Put(ctx, g.ks.Replay(digest), blob,
		kvstore.WithTTL(g.replayTTL),
		kvstore.WithMetadata(map[string]any{"player": player, "match": matchID, "bytes": len(blob)}),
	)
	return digest, err
}
