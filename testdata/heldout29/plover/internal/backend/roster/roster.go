// Package roster manages teams, players and the paperwork that goes with
// them.
package roster

import (
	"context"
	"encoding/json"
	"time"

	"example.com/plover/internal/backend/store"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
	"example.com/plover/internal/league"
)

// waiverText is the wording guardians agree to. It is stored with each
// signature so the list view can show exactly what was signed.
const waiverText = `PARTICIPANT WAIVER AND RELEASE OF LIABILITY. ` +
	`I, the parent or legal guardian of the registered player, acknowledge that participation in ` +
	`community league soccer, including practices, matches, tournaments and travel to and from ` +
	`them, involves risks of injury including but not limited to sprains, fractures, concussion ` +
	`and, in rare cases, permanent disability or death. I understand that these risks cannot be ` +
	`eliminated without changing the nature of the game. I confirm that the player is physically ` +
	`fit to take part and that I have disclosed any medical condition the coaches should know about. ` +
	`I authorise league officials and coaches to seek emergency medical treatment for the player ` +
	`if I cannot be reached, and I accept responsibility for the cost of that treatment. On behalf ` +
	`of myself, the player and our heirs, I release the league, its volunteers, referees, field ` +
	`owners and sponsors from any claim arising from ordinary negligence in connection with the ` +
	`player's participation. I consent to the league using team photographs that include the player ` +
	`in newsletters and on the league website unless I opt out in writing. I agree to follow the ` +
	`league's code of conduct for spectators and understand that a breach may lead to my removal ` +
	`from the venue. This waiver remains in effect for the current season and any make-up matches.`

// Roster is the imported list of players for a team.
type Roster struct {
	Team    league.TeamID   `json:"team"`
	Players []league.Player `json:"players"`
	Updated time.Time       `json:"updated"`
}

// Prefs are a family's notification settings.
type Prefs struct {
	Email     string `json:"email"`
	Reminders bool   `json:"reminders"`
	Digest    bool   `json:"digest"`
	Language  string `json:"language"`
}

var defaultPrefs = Prefs{Reminders: true, Digest: true, Language: "en"}

// Service implements roster management.
type Service struct {
	teams   *store.Repo[league.Team]
	players *store.Repo[league.Player]
	rosters *store.Repo[Roster]
	slugs   store.Namespace
	waivers store.Namespace
	prefs   store.Namespace
	bus     *league.Bus
	now     func() time.Time
}

// New builds the service over ns.
func New(ns store.Namespace, bus *league.Bus) *Service {
	return &Service{
		teams:   store.NewRepo(ns.Prefixed("team:"), func(t *league.Team) string { return string(t.ID) }, 0),
		players: store.NewRepo(ns.Prefixed("player:"), func(p *league.Player) string { return string(p.ID) }, 0),
		rosters: store.NewRepo(ns.Prefixed("roster:"), func(r *Roster) string { return string(r.Team) }, 0),
		slugs:   ns.Prefixed("slug:"),
		waivers: ns.Prefixed("waiver:"),
		prefs:   ns.Prefixed("prefs:"),
		bus:     bus,
		now:     time.Now,
	}
}

type CreateTeamReq struct {
	Season league.SeasonID `json:"season"`
	Name   string          `json:"name"`
	Colors string          `json:"colors"`
}

// CreateTeam registers a team under a unique public slug.
func (s *Service) CreateTeam(ctx context.Context, req CreateTeamReq) (league.Team, error) {
	slug := keys.Slug(req.Name)
	if slug == "" {
		return league.Team{}, httpx.Errorf(400, "team name required")
	}
	if _, err := s.slugs.Get(ctx, slug); err == nil {
		return league.Team{}, httpx.ErrConflict
	} else if !store.IsNotFound(err) {
		return league.Team{}, err
	}
	t := league.Team{
		ID:       league.TeamID(keys.NewID()),
		Season:   req.Season,
		Name:     req.Name,
		Slug:     slug,
		Colors:   req.Colors,
		Modified: s.now().UTC(),
	}
	if err := s.slugs.Put(ctx, slug, []byte(t.ID), nil); err != nil { // EXPECT kvrace
		return league.Team{}, err
	}
	return t, s.teams.Save(ctx, &t)
}

type AddPlayerReq struct {
	Team   league.TeamID `json:"team"`
	Player league.Player `json:"player"`
}

// AddPlayer registers a player and puts them on a team.
func (s *Service) AddPlayer(ctx context.Context, req AddPlayerReq) (league.Team, error) {
	p := req.Player
	if p.ID == "" {
		p.ID = league.PlayerID(keys.NewID())
	}
	p.Team = req.Team
	if err := s.players.Save(ctx, &p); err != nil {
		return league.Team{}, err
	}
	t, err := s.teams.Update(ctx, string(req.Team), func(t *league.Team) error {
		if !t.HasPlayer(p.ID) {
			t.Players = append(t.Players, p.ID)
		}
		t.Modified = s.now().UTC()
		return nil
	})
	if err != nil {
		return t, err
	}
	return t, s.bus.Publish(ctx, league.PlayerJoined{Team: req.Team, Player: p.ID, Via: "admin"})
}

type ImportReq struct {
	Team    league.TeamID   `json:"team"`
	Players []league.Player `json:"players"`
}

// ImportRoster loads a roster exported from the registration system.
func (s *Service) ImportRoster(ctx context.Context, req ImportReq) (Roster, error) {
	r := Roster{Team: req.Team}
	for _, p := range req.Players {
		p.Team = req.Team
		if err := s.players.Save(ctx, &p); err != nil {
			return r, err
		}
		r.Players = append(r.Players, p)
		r.Updated = s.now().UTC()
		// Save progress so that a failed import can be resumed.
		if err := s.rosters.Save(ctx, &r); err != nil { // EXPECT kvhotkey
			return r, err
		}
	}
	return r, nil
}

type WaiverReq struct {
	Player   league.PlayerID `json:"player"`
	Guardian string          `json:"guardian"`
}

// SignWaiver records a guardian's signature.
func (s *Service) SignWaiver(ctx context.Context, req WaiverReq) (struct{}, error) {
	body, err := json.Marshal(map[string]any{
		"player":   req.Player,
		"guardian": req.Guardian,
		"signedAt": s.now().UTC(),
	})
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.waivers.Put(ctx, string(req.Player), body, &store.PutOpts{
		Metadata: map[string]any{"guardian": req.Guardian, "text": waiverText}, // EXPECT kvlimits
	})
}

// Prefs returns a family's notification settings.
func (s *Service) Prefs(ctx context.Context, email string) (Prefs, error) {
	id := keys.Digest(league.NormalizeEmail(email))
	b, err := s.prefs.Get(ctx, id) // EXPECT kvnull
	if err != nil {
		// First visit: store the defaults so the settings page has
		// something to edit.
		p := defaultPrefs
		p.Email = email
		body, _ := json.Marshal(p)
		return p, s.prefs.Put(ctx, id, body, nil)
	}
	var p Prefs
	return p, json.Unmarshal(b, &p)
}
