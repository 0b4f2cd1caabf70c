//go:build js && wasm

// Package invites lets coaches hand out codes that parents and players use
// to join a team, and issues tryout passes.
package invites

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"time"

	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/edge/sessions"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
	"example.com/plover/internal/league"
)

// Crockford's alphabet: no I, L, O or U, so codes read aloud survive.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func randomCode(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Join is a pending roster addition, picked up by the backend sync.
type Join struct {
	Team   league.TeamID   `json:"team"`
	Player league.PlayerID `json:"player"`
	Role   league.Role     `json:"role"`
	Code   string          `json:"code"`
	At     time.Time       `json:"at"`
}

// Tryout is an open session where new players are assessed.
type Tryout struct {
	ID    string    `json:"id"`
	At    time.Time `json:"at"`
	Field string    `json:"field"`
}

// Service implements the invite endpoints.
type Service struct {
	kv      *kvbind.Client
	codes   *kvbind.Bucket
	joins   *kvbind.Bucket
	seasons *kvbind.Bucket
	tryouts *kvbind.Bucket
	passes  *kvbind.Bucket
	bus     *league.Bus
	now     func() time.Time
}

// New builds the service.
func New(kv *kvbind.Client, bus *league.Bus) *Service {
	return &Service{
		kv:      kv,
		codes:   kv.Bucket("inv"),
		joins:   kv.Bucket("join", kvbind.WithTTL(30*24*time.Hour)),
		seasons: kv.Bucket("season"),
		tryouts: kv.Bucket("tryout"),
		passes:  kv.Bucket("pass"),
		bus:     bus,
		now:     time.Now,
	}
}

type CreateReq struct {
	Team      league.TeamID   `json:"team"`
	Season    league.SeasonID `json:"season"`
	Role      league.Role     `json:"role"`
	SingleUse bool            `json:"singleUse"`
}

func coach(ctx context.Context) (*sessions.Session, error) {
	sess := sessions.FromContext(ctx)
	if sess == nil {
		return nil, httpx.ErrUnauthorized
	}
	if sess.Role != league.RoleCoach && sess.Role != league.RoleAdmin {
		return nil, httpx.ErrForbidden
	}
	return sess, nil
}

// Create issues a random code valid until the season starts.
func (s *Service) Create(ctx context.Context, req CreateReq) (league.Invite, error) {
	sess, err := coach(ctx)
	if err != nil {
		return league.Invite{}, err
	}
	var season league.Season
	ok, err := s.seasons.GetJSON(string(req.Season), &season)
	if err != nil || !ok {
		return league.Invite{}, cmp.Or(err, httpx.ErrNotFound)
	}
	// Valid until kick-off of the season, but never less than an hour so a
	// code made on opening day is still usable.
	ttl := max(time.Until(season.StartsAt), time.Hour)
	inv := league.Invite{
		Code:      randomCode(8),
		Team:      req.Team,
		Season:    req.Season,
		Role:      req.Role,
		CreatedBy: sess.Email,
		ExpiresAt: s.now().Add(ttl),
		SingleUse: req.SingleUse,
	}
	return inv, s.codes.PutJSONFor(inv.Code, inv, ttl)
}

type ClaimReq struct {
	Code   string          `json:"code"`
	Team   league.TeamID   `json:"team"`
	Season league.SeasonID `json:"season"`
}

// Claim reserves a memorable code such as "TIGERS25" for a team.
func (s *Service) Claim(ctx context.Context, req ClaimReq) (league.Invite, error) {
	sess, err := coach(ctx)
	if err != nil {
		return league.Invite{}, err
	}
	code := strings.ToUpper(keys.Slug(req.Code))
	if len(code) < 4 {
		return league.Invite{}, httpx.Errorf(400, "code too short")
	}
	_, taken, err := s.codes.Get(code)
	if err != nil {
		return league.Invite{}, err
	}
	if taken {
		return league.Invite{}, httpx.ErrConflict
	}
	inv := league.Invite{
		Code:      code,
		Team:      req.Team,
		Season:    req.Season,
		Role:      league.RolePlayer,
		CreatedBy: sess.Email,
		ExpiresAt: s.now().Add(14 * 24 * time.Hour),
	}
	return inv, s.codes.PutJSONFor(code, inv, 14*24*time.Hour) // EXPECT kvrace
}

// Preview shows what team a code belongs to before the user signs up.
func (s *Service) Preview(ctx context.Context, req httpx.Request) (league.Invite, error) {
	code := strings.ToUpper(req.Path("code"))
	raw, err := s.kv.Raw(s.codes.Key(code))
	if err != nil {
		return league.Invite{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return league.Invite{}, httpx.ErrNotFound
	}
	var inv league.Invite
	err = json.Unmarshal([]byte(raw), &inv)
	inv.CreatedBy = ""
	return inv, err
}

type RedeemReq struct {
	Code   string          `json:"code"`
	Player league.PlayerID `json:"player"`
}

// Redeem records a join request for the invite's team.
func (s *Service) Redeem(ctx context.Context, req RedeemReq) (Join, error) {
	if sessions.FromContext(ctx) == nil {
		return Join{}, httpx.ErrUnauthorized
	}
	code := strings.ToUpper(strings.TrimSpace(req.Code))
	var inv league.Invite
	ok, err := s.codes.GetJSON(code, &inv)
	if err != nil || !ok || inv.Expired(s.now()) {
		return Join{}, cmp.Or(err, httpx.ErrNotFound)
	}
	j := Join{Team: inv.Team, Player: req.Player, Role: inv.Role, Code: code, At: s.now().UTC()}
	if err := s.joins.PutJSON(string(inv.Team)+":"+string(req.Player), j); err != nil {
		return Join{}, err
	}
	if inv.SingleUse {
		if err := s.codes.Delete(code); err != nil { // EXPECT kvsession
			return Join{}, err
		}
	}
	err = s.bus.Publish(ctx, league.PlayerJoined{Team: inv.Team, Player: req.Player, Via: "invite"})
	return j, err
}

// Pass admits a prospective player to a tryout.
type Pass struct {
	Code   string    `json:"code"`
	Tryout string    `json:"tryout"`
	Name   string    `json:"name"`
	Until  time.Time `json:"until"`
}

// TryoutPass registers a prospective player for a tryout.
func (s *Service) TryoutPass(ctx context.Context, req Pass) (Pass, error) {
	var t Tryout
	ok, err := s.tryouts.GetJSON(req.Tryout, &t)
	if err != nil || !ok || !t.At.After(s.now()) {
		return Pass{}, cmp.Or(err, httpx.ErrNotFound)
	}
	p := Pass{Code: randomCode(6), Tryout: t.ID, Name: strings.TrimSpace(req.Name), Until: t.At}
	body, _ := json.Marshal(p)
	// The pass is only good until the tryout starts.
	return p, s.passes.PutFor(p.Code, string(body), time.Until(t.At)) // EXPECT kvttl
}
