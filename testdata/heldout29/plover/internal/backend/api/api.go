// Package api is the backend's HTTP interface, used by the admin app and by
// the edge worker.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/plover/internal/backend/cfkv"
	"example.com/plover/internal/backend/config"
	"example.com/plover/internal/backend/fixtures"
	"example.com/plover/internal/backend/jobs"
	"example.com/plover/internal/backend/roster"
	"example.com/plover/internal/backend/store"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
	"example.com/plover/internal/league"
)

// Server wires the services to routes.
type Server struct {
	cfg      *config.Config
	roster   *roster.Service
	fixtures *fixtures.Scheduler
	jobs     *jobs.Runner
	ledger   jobs.Ledger
	invites  store.Namespace
	tokens   *Tokens
}

// New builds the server.
func New(cfg *config.Config, p store.Provider, cf *cloudflare.Client, r *roster.Service, f *fixtures.Scheduler, j *jobs.Runner, l jobs.Ledger) *Server {
	return &Server{
		cfg: cfg, roster: r, fixtures: f, jobs: j, ledger: l,
		invites: p.Namespace(cfg.NamespaceID).Prefixed("inv:"),
		tokens:  &Tokens{cf: cf, account: cfg.AccountID, nsID: cfg.TokensNS},
	}
}

// Routes returns the handler tree.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /teams", httpx.JSON(s.roster.CreateTeam))
	mux.Handle("POST /teams/{id}/players", httpx.JSON(s.roster.AddPlayer))
	mux.Handle("POST /teams/{id}/import", httpx.JSON(s.roster.ImportRoster))
	mux.Handle("POST /waivers", httpx.JSON(s.roster.SignWaiver))
	mux.Handle("GET /prefs", httpx.Get(s.prefs))
	mux.Handle("POST /seasons/{id}/fixtures", httpx.JSON(s.fixtures.Generate))
	mux.Handle("POST /seasons/{id}/archive", httpx.JSON(s.archive))
	mux.Handle("POST /matches", httpx.JSON(s.fixtures.Schedule))
	mux.Handle("PUT /matches/{id}/referee", httpx.JSON(s.assign))
	mux.Handle("POST /invites", httpx.JSON(s.createInvite))
	mux.Handle("POST /tokens/refresh", httpx.JSON(s.tokens.Refresh))
	mux.Handle("GET /internal/standings/{season}", httpx.Get(s.standings))
	mux.Handle("GET /internal/seasons/active", httpx.Get(s.seasons))
	mux.Handle("POST /internal/joins", httpx.JSON(s.join))
	return httpx.Chain(mux, httpx.Recover, s.auth)
}

func (s *Server) auth(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.cfg.EdgeToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tokens/refresh" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			httpx.WriteError(w, httpx.ErrUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) prefs(ctx context.Context, r httpx.Request) (roster.Prefs, error) {
	return s.roster.Prefs(ctx, r.Header("X-User-Email"))
}

func (s *Server) archive(ctx context.Context, _ struct{}) (struct{}, error) {
	return struct{}{}, s.jobs.ArchiveSeason(ctx, league.SeasonID(httpx.FromContext(ctx).Path("id")))
}

func (s *Server) assign(ctx context.Context, req fixtures.AssignReq) (league.Assignment, error) {
	r := httpx.FromContext(ctx)
	req.Match = league.MatchID(r.Path("id"))
	req.IfMatch = strings.Trim(r.Header("If-Match"), `"`)
	return s.fixtures.Assign(ctx, req)
}

func (s *Server) standings(ctx context.Context, r httpx.Request) ([]league.Standing, error) {
	return s.ledger.Standings(ctx, "", league.SeasonID(r.Path("season")))
}

func (s *Server) seasons(ctx context.Context, _ httpx.Request) ([]league.SeasonID, error) {
	return s.ledger.ActiveSeasons(ctx)
}

func (s *Server) join(ctx context.Context, req struct{ Team, Player string }) (league.Team, error) {
	return s.roster.AddPlayer(ctx, roster.AddPlayerReq{
		Team:   league.TeamID(req.Team),
		Player: league.Player{ID: league.PlayerID(req.Player)},
	})
}

type inviteReq struct {
	Team league.TeamID `json:"team"`
	Role league.Role   `json:"role"`
}

func (s *Server) createInvite(ctx context.Context, req inviteReq) (league.Invite, error) {
	inv := league.Invite{
		Code:      strings.ToUpper(keys.NewID()[:8]),
		Team:      req.Team,
		Role:      req.Role,
		ExpiresAt: time.Now().Add(s.cfg.InviteTTL),
	}
	body, _ := json.Marshal(inv)
	return inv, s.invites.Put(ctx, inv.Code, body, &store.PutOpts{
		TTL:      s.cfg.InviteTTL,
		Metadata: map[string]any{"team": inv.Team},
	})
}

// Tokens rotates the mobile app's refresh tokens.
type Tokens struct {
	cf      *cloudflare.Client
	account string
	nsID    string
}

type RefreshReq struct {
	Token string `json:"token"`
}

type TokenPair struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
}

const refreshTTL = 30 * 24 * time.Hour

// Refresh exchanges a refresh token for a new pair.
func (t *Tokens) Refresh(ctx context.Context, req RefreshReq) (TokenPair, error) {
	oldKey := "rt:" + keys.Digest(req.Token)
	res, err := t.cf.KV.Namespaces.Values.Get(ctx, t.nsID, oldKey, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.account)})
	if cfkv.NotFound(err) {
		return TokenPair{}, httpx.ErrUnauthorized
	}
	if err != nil {
		return TokenPair{}, err
	}
	var owner struct {
		Email string      `json:"email"`
		Role  league.Role `json:"role"`
	}
	err = json.NewDecoder(res.Body).Decode(&owner)
	res.Body.Close()
	if err != nil {
		return TokenPair{}, err
	}
	pair := TokenPair{Access: keys.NewID() + keys.NewID(), Refresh: keys.NewID() + keys.NewID()}
	body, _ := json.Marshal(owner)
	_, err = t.cf.KV.Namespaces.Values.Update(ctx, t.nsID, "rt:"+keys.Digest(pair.Refresh), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(t.account),
		Value:     cloudflare.F(string(body)),
	}, option.WithQuery("expiration_ttl", strconv.Itoa(int(refreshTTL.Seconds()))))
	if err != nil {
		return TokenPair{}, err
	}
	if _, err := t.cf.KV.Namespaces.Values.Delete(ctx, t.nsID, oldKey, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(t.account)}); err != nil { // EXPECT kvsession
		return TokenPair{}, err
	}
	return pair, nil
}
