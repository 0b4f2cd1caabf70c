//go:build js && wasm

// Command edge is the Cloudflare Worker in front of the game backend. It
// serves sessions, lobbies, rewards and social endpoints straight from KV.
package main

import (
	"log"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/edgekv"
	"github.com/killdeer-games/killdeer/internal/guard"
	"github.com/killdeer-games/killdeer/internal/httpx"
	"github.com/killdeer-games/killdeer/internal/lobby"
	"github.com/killdeer-games/killdeer/internal/rewards"
	"github.com/killdeer-games/killdeer/internal/session"
	"github.com/killdeer-games/killdeer/internal/social"
)

// Set in main, read by the handlers.
var (
	state    *edgekv.Namespace
	sessions *session.Store
	lobbies  *lobby.Service
	daily    *rewards.Service
	friends  *social.Service
)

func mustOpen(binding string) *edgekv.Namespace {
	ns, err := edgekv.Open(binding)
	if err != nil {
		log.Fatal(err)
	}
	return ns
}

func main() {
	if raw := cloudflare.Getenv("KILLDEER_CONFIG"); raw != "" {
		if _, err := config.Reload([]byte(raw)); err != nil {
			log.Printf("config: %v (keeping defaults)", err)
		}
	}
	state = mustOpen("STATE")
	guard.Bans = mustOpen("BANS")
	guard.Counters = mustOpen("COUNTERS")
	sessions = session.NewStore(mustOpen("SESSIONS"))
	lobbies = lobby.New(state)
	daily = rewards.New(state)
	friends = social.New(state)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/login", httpx.Handle(login))
	mux.HandleFunc("POST /v1/magic", httpx.Handle(requestMagic))
	mux.HandleFunc("POST /v1/magic/redeem", httpx.Handle(redeemMagic))
	mux.HandleFunc("POST /v1/logout", httpx.Handle(logout))
	mux.HandleFunc("POST /v1/password-changed", httpx.Handle(passwordChanged))
	mux.HandleFunc("POST /v1/lobbies", httpx.Handle(createLobby))
	mux.HandleFunc("GET /v1/lobbies", httpx.Handle(browseLobbies))
	mux.HandleFunc("POST /v1/lobbies/{id}/join", httpx.Handle(joinLobby))
	mux.HandleFunc("POST /v1/lobbies/{id}/leave", httpx.Handle(leaveLobby))
	mux.HandleFunc("POST /v1/lobbies/{id}/start", httpx.Handle(startLobby))
	mux.HandleFunc("GET /v1/lobbies/{id}/card", httpx.Handle(lobbyCard))
	mux.HandleFunc("POST /v1/quickmatch", httpx.Handle(quickMatch))
	mux.HandleFunc("POST /v1/matches/finished", httpx.Handle(matchFinished))
	mux.HandleFunc("POST /v1/rewards/claim", httpx.Handle(claimReward))
	mux.HandleFunc("GET /v1/rewards/preview", httpx.Handle(daily.Preview))
	mux.HandleFunc("POST /v1/invites", httpx.Handle(createInvite))
	mux.HandleFunc("POST /v1/invites/vanity", httpx.Handle(claimVanity))
	mux.HandleFunc("POST /v1/invites/accept", httpx.Handle(acceptInvite))
	mux.HandleFunc("GET /v1/friends", httpx.Handle(listFriends))
	mux.HandleFunc("POST /v1/profile/name", httpx.Handle(rename))

	cron.ScheduleTaskNonBlock(sweep)
	workers.Serve(mux)
}
