package graph

import (
	"log/slog"

	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/leaderboard"
	"github.com/hoatzin-games/hoatzin/internal/lobby"
	"github.com/hoatzin-games/hoatzin/internal/matchmaking"
	"github.com/hoatzin-games/hoatzin/internal/matchstate"
	"github.com/hoatzin-games/hoatzin/internal/player"
	"github.com/hoatzin-games/hoatzin/internal/rewards"
	"github.com/hoatzin-games/hoatzin/internal/social"
)

// This file will not be regenerated automatically.
//
// It serves as dependency injection for your app, add any dependencies you require here.

// Resolver is the root resolver; it holds the services the API calls.
type Resolver struct {
	KV       *kvstore.Namespace
	Node     *matchstate.Node
	Players  *player.Service
	MM       *matchmaking.Service
	Rooms    *lobby.Service
	Boards   *leaderboard.Service
	Rewards  *rewards.Service
	Social   *social.Service
	Log      *slog.Logger
	NewLobby func() string
}
