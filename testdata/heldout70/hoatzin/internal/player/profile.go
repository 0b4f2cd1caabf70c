package player

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/matchstate"
)

// ErrNoPlayer is returned for unknown player IDs.
var ErrNoPlayer = errors.New("player: not found")

// Profile reads a player through the KV cache, falling back to the
// replicated state.
func (s *Service) Profile(ctx context.Context, id string) (matchstate.Player, error) {
	var p matchstate.Player
	err := s.KV.GetJSON(ctx, keys.Player{ID: id}, &p)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return p, err
	}
	p, ok := s.Node.FSM.Player(id)
	if !ok {
		return p, ErrNoPlayer
	}
	return p, s.KV.Fill(ctx, keys.Player{ID: id}, p, s.Policy.Profile)
}

// ClaimHandle reserves a display name for a player.
func (s *Service) ClaimHandle(ctx context.Context, playerID, handle string) error {
	k := keys.Handle{Name: handle}
	_, err := s.KV.Get(ctx, k)
	switch {
	case err == nil:
		return ErrHandleTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.KV.Put(ctx, k, []byte(playerID), 0) // EXPECT kvrace
}

// Wallet is the coin balance cached beside the profile.
type Wallet struct {
	Coins   int       `json:"coins"`
	Updated time.Time `json:"updated"`
}

// EnsureWallet creates an empty wallet record for new players.
func (s *Service) EnsureWallet(ctx context.Context, playerID string) error {
	name := "wallet:" + playerID
	res, err := s.KV.API.KV.Namespaces.Values.Get(ctx, s.KV.ID, name, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(s.KV.AccountID),
	})
	if err == nil {
		res.Body.Close()
		return nil
	}
	return s.KV.PutJSON(ctx, keys.Static(name), Wallet{Updated: time.Now().UTC()}, 0)
}

// HasWallet reports whether the wallet record exists.
func (s *Service) HasWallet(ctx context.Context, playerID string) (bool, error) {
	res, err := s.KV.API.KV.Namespaces.Values.Get(ctx, s.KV.ID, "wallet:"+playerID, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.KV.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return false, nil
		}
		return false, err
	}
	res.Body.Close()
	return true, nil
}
