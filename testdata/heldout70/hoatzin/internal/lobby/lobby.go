// Package lobby creates and lists lobbies. Membership is replicated through
// matchstate; KV holds the mirror and the slug index.
package lobby

import (
	"context"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/matchstate"
)

// ErrSlugTaken is returned when another lobby uses the slug.
var ErrSlugTaken = errors.New("lobby: slug taken")

// Settings are the host-editable options of a lobby.
type Settings struct {
	Private bool     `json:"private"`
	Map     string   `json:"map"`
	Banned  []string `json:"banned"`
}

// Service manages lobbies.
type Service struct {
	KV     *kvstore.Namespace
	Node   *matchstate.Node
	Policy kvstore.Policy
}

// Create reserves the slug and replicates the new lobby.
func (s *Service) Create(ctx context.Context, id, host, slug string, maxPlayers int) (matchstate.Lobby, error) {
	sk := keys.LobbySlug{Slug: slug}
	if _, err := s.KV.Get(ctx, sk); !errors.Is(err, kvstore.ErrNotFound) {
		if err == nil {
			return matchstate.Lobby{}, ErrSlugTaken
		}
		return matchstate.Lobby{}, err
	}
	if err := s.KV.Put(ctx, sk, []byte(id), 0); err != nil { // EXPECT kvrace
		return matchstate.Lobby{}, err
	}
	res, err := s.Node.Submit(ctx, matchstate.OpLobbyCreate, matchstate.Lobby{
		ID: id, Slug: slug, Host: host, Members: []string{host}, Max: maxPlayers,
	})
	if err != nil {
		return matchstate.Lobby{}, err
	}
	lb, _ := res.(matchstate.Lobby)
	return lb, nil
}

// Ban adds a player to the lobby's ban list.
func (s *Service) Ban(ctx context.Context, lobbyID, playerID string) (Settings, error) {
	return kvstore.Update(ctx, s.KV, keys.Static("lobby:settings:"+lobbyID), 0, func(st *Settings) error {
		st.Banned = append(st.Banned, playerID)
		return nil
	})
}

// SetMap replaces the lobby's settings with the host's choice.
func (s *Service) SetMap(ctx context.Context, lobbyID, mapName string, private bool) error {
	return s.KV.PutJSON(ctx, keys.Static("lobby:settings:"+lobbyID), Settings{Map: mapName, Private: private}, 0)
}

// Touch records that a player is in the lobby right now.
func (s *Service) Touch(ctx context.Context, lobbyID, playerID string) error {
	k := keys.Static("presence:" + lobbyID + ":" + playerID)
	return s.KV.Put(ctx, k, []byte(time.Now().UTC().Format(time.RFC3339)), s.Policy.Presence)
}

// Get returns a lobby from the KV mirror, or from the replicated state when
// the mirror has not caught up.
func (s *Service) Get(ctx context.Context, id string) (matchstate.Lobby, error) {
	var lb matchstate.Lobby
	err := s.KV.GetJSON(ctx, keys.Lobby{ID: id}, &lb)
	if errors.Is(err, kvstore.ErrNotFound) {
		if v, ok := s.Node.FSM.Lobby(id); ok {
			return v, nil
		}
	}
	return lb, err
}

// Page is one page of lobbies.
type Page struct {
	IDs    []string
	Cursor string
}

// Browse returns one page of lobbies and the cursor of the next.
func (s *Service) Browse(ctx context.Context, cursor string) (Page, error) {
	ks, next, err := s.KV.Page(ctx, "lobby:", cursor, 100)
	if err != nil {
		return Page{}, err
	}
	p := Page{Cursor: next}
	for _, k := range ks {
		p.IDs = append(p.IDs, k.Name[len("lobby:"):])
	}
	return p, nil
}

// Featured returns the first lobbies shown on the home screen.
func (s *Service) Featured(ctx context.Context) ([]string, error) {
	page, err := s.KV.API.KV.Namespaces.Keys.List(ctx, s.KV.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("lobby:featured:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// Count returns how many lobbies are open in a region.
func (s *Service) Count(ctx context.Context, region string) (int, error) {
	page, err := s.KV.API.KV.Namespaces.Keys.List(ctx, s.KV.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("lobby:region:" + region + ":"),
	})
	if err != nil {
		return 0, err
	}
	return len(page.Result), nil
}

// Close deletes a lobby's mirror, slug and presence keys.
func (s *Service) Close(ctx context.Context, lb matchstate.Lobby) error {
	names := []string{"lobby:" + lb.ID, "lobby:slug:" + lb.Slug, "lobby:settings:" + lb.ID}
	for _, m := range lb.Members {
		names = append(names, "presence:"+lb.ID+":"+m)
	}
	return s.KV.DeleteMany(ctx, names)
}
